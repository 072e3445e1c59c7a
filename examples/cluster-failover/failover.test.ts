// The replicated key-value store of src/, tested as its team would: three nodes over real TCP,
// every link through a proxy the test controls. A leader cut off from the others is replaced, and
// what it could not replicate was never acknowledged; a leader partitioned and then killed is
// replaced, restarted it catches up; no acknowledged write is ever lost.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect } from 'vitest'
import { NODE_IDS, withCluster } from './cluster.js'

// The nodes' data folders, one set per test; removed once every test's nodes are gone.
const dataRoot = mkdtempSync(join(tmpdir(), 'cluster-failover-'))
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }))
const test = withCluster(dataRoot)

test('a leader cut off from the others is replaced, and its unreplicated write is never acknowledged', async ({
  cluster,
}) => {
  await cluster.kv(1).put('before', 1)

  // Flush, act, receive: node 2's queue is emptied, so the leader it reports next is one the
  // partition caused.
  cluster.node(2).flush()
  cluster.isolate(1)
  const { id: newLeader } = await cluster.nextLeader(2, (e) => e.id !== 1)
  expect([2, 3]).toContain(newLeader)

  // The old leader still believes it leads, but no follower can hold its write.
  await expect(cluster.kv(1).put('lost', 'never acknowledged', 500)).rejects.toMatchObject({ code: 'NO_QUORUM' })
  await cluster.kv(newLeader).put('during', 2)

  // Healed, the old leader learns of the newer term, follows, and drops what it could not replicate.
  cluster.node(1).flush()
  cluster.heal()
  expect((await cluster.nextLeader(1)).id).toBe(newLeader)
  expect(await cluster.converged(newLeader)).toEqual(NODE_IDS.map(() => ({ before: 1, during: 2 })))
})

test('a partitioned leader that is then killed is replaced, and restarted it catches up: no acknowledged write is lost', async ({
  cluster,
}) => {
  const acknowledged: Record<string, number> = {}
  const write = async (leader: number, key: string, value: number) => {
    await cluster.kv(leader).put(key, value)
    acknowledged[key] = value
  }
  for (const [i, key] of ['a', 'b', 'c'].entries()) await write(1, key, i)

  cluster.node(2).flush()
  cluster.isolate(1)
  cluster.node(1).kill()
  await cluster.node(1).exited
  const { id: newLeader } = await cluster.nextLeader(2, (e) => e.id !== 1)
  for (const [i, key] of ['d', 'e'].entries()) await write(newLeader, key, 10 + i)

  // Restarted with its name, options and data folder, the old leader comes back with its log and,
  // once the partition heals, follows a leader (one that holds every acknowledged write) and
  // catches up. Node 1 cannot lead: its log lacks the writes made while it was away.
  const killed = cluster.node(1)
  const restarted = await cluster.restart(1)
  expect(restarted.name).toBe(killed.name)
  expect(restarted.pid).not.toBe(killed.pid)
  cluster.heal()
  // The restarted peer is a new `Peer`, with a mailbox of its own: nothing stale to flush.
  const { id: leader } = await cluster.nextLeader(1)
  expect([2, 3]).toContain(leader)
  await write(leader, 'f', 20)
  expect(await cluster.converged(leader)).toEqual(NODE_IDS.map(() => acknowledged))
})
