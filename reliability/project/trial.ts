// Run by test:reliability in child Vitest runs (see vitest.config.ts): the test of a trial. It
// starts a peer over every connection and one in a session of its own, has the first start
// processes of its own (fixtures/descendants.mjs: a child, a pipeline, a cluster worker, and one in
// a session of its own), writes them all to its pids file (one JSON line each, with start times),
// then `<pids file>.ready`, and then waits on a promise or spins in a synchronous loop until the
// parent kills something. A single run (linked.test.ts) takes its pids file and mode from
// REL_PIDS_FILE and REL_WORKER; a batch run (REL_BATCH_DIR, one file per trial, named
// `NN-wait.test.ts` or `NN-spin.test.ts`) writes `NN-<mode>.jsonl` in REL_PIDS_DIR.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Connection } from '@vitest-peer/core'
import { expect } from 'vitest'
import { test } from 'vitest-peer'

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

/** The pids file and the worker's mode of the current test file. */
function trialOf(): { pidsFile: string; mode: string } {
  const dir = process.env.REL_PIDS_DIR
  if (dir === undefined) return { pidsFile: process.env.REL_PIDS_FILE!, mode: process.env.REL_WORKER ?? 'wait' }
  const name = basename(expect.getState().testPath!).replace(/\.test\.ts$/, '')
  return { pidsFile: join(dir, `${name}.jsonl`), mode: name.endsWith('-spin') ? 'spin' : 'wait' }
}

export function linkedTrial(): void {
  test('linked peers until the parent kills the run', async ({ startPeer }) => {
    const { pidsFile, mode } = trialOf()
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
    for (const pid of covered)
      appendFileSync(pidsFile, `${JSON.stringify({ descendant: pid, start: startTime(pid) })}\n`)
    const escapee = descendants.detached
    appendFileSync(pidsFile, `${JSON.stringify({ escapee, start: startTime(escapee) })}\n`)
    appendFileSync(pidsFile, `${JSON.stringify({ worker: process.pid, start: startTime(process.pid) })}\n`)
    writeFileSync(`${pidsFile}.ready`, 'ready')
    if (mode === 'spin') for (;;) {}
    await new Promise(() => {})
  })
}
