// Test helper (runs in the test, the origin): a three-node cluster of KV nodes, each node a peer
// of the test, each dialling every other node through a proxy of its own (six proxies, one per
// direction), so that the test can cut any node off from the others.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { type NetworkProxy, type Peer, peerName, type StartPeer, type StartProxy, test } from 'vitest-peer'
import type { KvEvent } from './src/messages.js'

/** The node's module, relative to the test file (as `call` resolves it). */
export const KV = './src/kv-node.ts'
export type KvNode = typeof import('./src/kv-node.js')

export const NODE_IDS = [1, 2, 3] as const

/** A proxy on the way from node `from` to node `to`. */
interface Link {
  from: number
  to: number
  proxy: NetworkProxy
}

/** How long a test waits for a leader to be elected, or for a node to catch up. */
const CONVERGE_MS = 10_000

export type LeaderEvent = Extract<KvEvent, { event: 'leader' }>
const isLeaderEvent = (m: unknown): m is LeaderEvent => (m as KvEvent).event === 'leader'
const isCommitEvent = (m: unknown): m is Extract<KvEvent, { event: 'commit' }> => (m as KvEvent).event === 'commit'

export class Cluster {
  private constructor(
    /** The peers by node id; a restart replaces one. */
    readonly nodes: Map<number, Peer>,
    private readonly links: Link[],
    private readonly dial: Map<number, Record<number, number>>,
  ) {}

  /**
   * Start nodes 1, 2 and 3, each keeping its state in its own folder under `dataRoot`; node 1
   * bootstraps the cluster: resolves once it leads.
   */
  static async start(fixtures: { startPeer: StartPeer; startProxy: StartProxy }, dataRoot: string): Promise<Cluster> {
    const nodes = new Map<number, Peer>()
    const ports = new Map<number, number>()
    for (const id of NODE_IDS) {
      const dataDir = join(dataRoot, `node${id}`)
      mkdirSync(dataDir, { recursive: true })
      const peer = await fixtures.startPeer({ name: peerName(`node${id}`), env: { KV_DATA_DIR: dataDir } })
      nodes.set(id, peer)
      ports.set(id, await peer.module<KvNode>(KV).listen())
    }
    const links: Link[] = []
    const dial = new Map<number, Record<number, number>>()
    for (const from of NODE_IDS) {
      const targets: Record<number, number> = {}
      for (const to of NODE_IDS.filter((id) => id !== from)) {
        const proxy = await fixtures.startProxy({ target: { port: ports.get(to)! } })
        links.push({ from, to, proxy })
        targets[to] = proxy.port
      }
      dial.set(from, targets)
    }
    for (const id of NODE_IDS)
      await nodes
        .get(id)!
        .module<KvNode>(KV)
        .join({ id, dial: dial.get(id)!, bootstrap: id === 1 })
    const cluster = new Cluster(nodes, links, dial)
    expect((await cluster.nextLeader(1)).id).toBe(1)
    return cluster
  }

  node(id: number): Peer {
    return this.nodes.get(id)!
  }

  /** The KV API of node `id`, called in its peer. */
  kv(id: number) {
    return this.node(id).module<KvNode>(KV)
  }

  /** Cut every link to and from node `id`: open connections are reset, new ones too. */
  isolate(id: number): void {
    for (const link of this.links) if (link.from === id || link.to === id) link.proxy.cut()
  }

  /** Let every link carry traffic again. */
  heal(): void {
    for (const link of this.links) link.proxy.heal()
  }

  /**
   * The next leader node `observer` hears of that `accept` accepts. Messages queued before are
   * considered too: flush the observer first to wait for a fresh one.
   */
  async nextLeader(observer: number, accept: (event: LeaderEvent) => boolean = () => true): Promise<LeaderEvent> {
    return this.node(observer).receive<LeaderEvent>((m) => isLeaderEvent(m) && accept(m), { timeout: CONVERGE_MS })
  }

  /** Resolve once every node has committed as much of its log as `leader` has now; each node's committed keys and values. */
  async converged(leader: number): Promise<Record<string, unknown>[]> {
    const { commit } = await this.kv(leader).status()
    for (const id of NODE_IDS) {
      await this.node(id).receive((m) => isCommitEvent(m) && m.index >= commit, { timeout: CONVERGE_MS })
    }
    return Promise.all(NODE_IDS.map((id) => this.kv(id).dump()))
  }

  /**
   * Restart node `id` (the same name, options and data folder), then have it listen where it did
   * before (the proxies to it still point there) and join again; it follows whoever leads.
   */
  async restart(id: number): Promise<Peer> {
    const peer = await this.node(id).restart()
    this.nodes.set(id, peer)
    const kv = peer.module<KvNode>(KV)
    expect(await kv.listen()).toBe(this.links.find((l) => l.to === id)!.proxy.target.port)
    await kv.join({ id, dial: this.dial.get(id)! })
    return peer
  }
}

/** vitest-peer's `test` with a `cluster` fixture: a cluster led by node 1, its data under `dataRoot`. */
export function withCluster(dataRoot: string) {
  return test.extend<{ cluster: Cluster }>({
    cluster: async ({ startPeer, startProxy, task }, use) => {
      await use(await Cluster.start({ startPeer, startProxy }, join(dataRoot, task.id)))
    },
  })
}
