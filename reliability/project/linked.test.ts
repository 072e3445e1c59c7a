// Run by test:reliability in a child Vitest (see vitest.config.ts): starts a peer over every
// connection and one in a session of its own, has the first start processes of its own
// (fixtures/descendants.mjs: a child, a pipeline, a cluster worker, and one in a session of its
// own), writes them all to REL_PIDS_FILE (one JSON line each, with start times), then
// `${REL_PIDS_FILE}.ready`, and then waits (REL_WORKER=wait) or spins in a synchronous loop
// (REL_WORKER=spin) until the parent kills something.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Connection } from '@vitest-peer/core'
import { test } from 'vitest-peer'

const pidsFile = process.env.REL_PIDS_FILE!
const DESCENDANTS = fileURLToPath(new URL('../../fixtures/descendants.mjs', import.meta.url))
const peers: { connection: Connection; detached?: boolean }[] = [
  { connection: 'ipc' },
  { connection: 'stdio' },
  { connection: { tcp: 0 } },
  { connection: { uds: true } },
  { connection: 'ipc', detached: true },
]

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string
}

test('linked peers until the parent kills the run', async ({ startPeer }) => {
  const started = await Promise.all(peers.map((options) => startPeer(options)))
  for (const [i, peer] of started.entries()) {
    const line = { pid: peer.pid, start: startTime(peer.pid), connection: peers[i]?.connection, worker: process.pid }
    appendFileSync(pidsFile, `${JSON.stringify({ ...line, detached: peers[i]?.detached === true })}\n`)
  }
  const descendants = (await started[0]!.call(DESCENDANTS, 'spawnAll', [], { timeout: 30_000 })) as {
    sleep: number
    pipeline: number[]
    worker: number
    detached: number
  }
  const covered = [descendants.sleep, ...descendants.pipeline, descendants.worker]
  for (const pid of covered) appendFileSync(pidsFile, `${JSON.stringify({ descendant: pid, start: startTime(pid) })}\n`)
  const escapee = descendants.detached
  appendFileSync(pidsFile, `${JSON.stringify({ escapee, start: startTime(escapee) })}\n`)
  appendFileSync(pidsFile, `${JSON.stringify({ worker: process.pid, start: startTime(process.pid) })}\n`)
  writeFileSync(`${pidsFile}.ready`, 'ready')
  if (process.env.REL_WORKER === 'spin') for (;;) {}
  await new Promise(() => {})
})
