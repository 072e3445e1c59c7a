// Runs inside a peer: one node of a replicated key-value store. Its API is what a test (or a
// client) calls in it: `listen`, `join`, `put` (on the leader; resolves once a majority holds the
// write), `get`, `dump`, `status`. The node keeps its port, term, vote and log in the folder named
// by KV_DATA_DIR, so that a node restarted with the same environment comes back with them. It
// reports to the origin who leads (`{ event: 'leader', id, term }`) and how far its log is
// committed (`{ event: 'commit', index }`).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join as joinPath } from 'node:path'
import { onShutdown, origin } from '@vitest-peer/core/peer'
import { Consensus, type Durable } from './consensus.js'
import { Links } from './links.js'

/** How long `put` waits for a majority before it reports the write as not acknowledged. */
const PUT_TIMEOUT_MS = 2_000

interface Stored extends Durable {
  port: number
}

const dataDir = process.env.KV_DATA_DIR
if (!dataDir) throw new Error('KV_DATA_DIR must name the folder where this node keeps its state')
const stateFile = joinPath(dataDir, 'state.json')

const stored: Stored = load()
let node: Consensus | undefined
const links = new Links((message) => node?.receive(message))

onShutdown(() => {
  node?.stop()
  links.close()
})

function load(): Stored {
  mkdirSync(dataDir!, { recursive: true })
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as Stored
  } catch {
    return { port: 0, term: 0, votedFor: null, log: [] }
  }
}

/** Write the state to disk, atomically: a node killed mid-write keeps the previous state. */
function save(): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(stored))
  renameSync(`${stateFile}.tmp`, stateFile)
}

/** Listen for the other nodes, on the port this node had before its restart if any; resolves with the port. */
export async function listen(): Promise<number> {
  stored.port = await links.listen(stored.port)
  save()
  return stored.port
}

/**
 * Join the cluster as node `id`, dialling each other node at the port given for it (in the tests,
 * a proxy). A bootstrapping node stands for election at once; the others wait to hear a leader.
 */
export function join(config: { id: number; dial: Record<number, number>; bootstrap?: boolean }): void {
  const others = Object.keys(config.dial).map(Number)
  node = new Consensus(config.id, others, stored, {
    send: (to, message) => links.send(to, message),
    save,
    report: (event) => origin.send(event),
  })
  for (const other of others) links.dial(other, config.dial[other]!)
  node.start(config.bootstrap ?? false)
}

/** Write `key` (on the leader); resolves with the write's log index once a majority holds it. */
export function put(key: string, value: unknown, timeoutMs = PUT_TIMEOUT_MS): Promise<number> {
  return joined().put(key, value, timeoutMs)
}

/** The committed value of `key`. */
export function get(key: string): unknown {
  return dump()[key]
}

/** Every committed key and its value. */
export function dump(): Record<string, unknown> {
  const { log, commit } = joined()
  const state: Record<string, unknown> = {}
  for (const entry of log.slice(0, commit)) if (entry.key !== null) state[entry.key] = entry.value
  return state
}

/** Who this node is and what it knows. */
export function status(): { id: number; role: string; leader: number | null; term: number; commit: number } {
  const n = joined()
  return { id: n.id, role: n.role, leader: n.leader, term: stored.term, commit: n.commit }
}

function joined(): Consensus {
  if (node === undefined) throw new Error('this node has not joined a cluster yet: call join() first')
  return node
}
