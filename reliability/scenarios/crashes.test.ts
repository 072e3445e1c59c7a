// Crashes mid-call: an uncaught exception, process.abort(), SIGSEGV, and V8 running out of heap
// under a small --max-old-space-size. The call pending when the peer dies must reject at once
// (not at its timeout) with a PeerDownError that names the cause: the exit code or signal, and
// for an exception or an out-of-memory death, what the peer printed about it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PeerDownError } from '@vitest-peer/core'
import { afterAll, describe, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures } from '../helpers/figures.js'
import { rejectionOf, startOwned } from '../helpers/peers.js'

const TRIALS = 3
const CRASH = fileURLToPath(new URL('../peers/crash.mjs', import.meta.url))
/** Longer than any crash here takes, shorter than the bound: a timeout would be a failure. */
const CALL_TIMEOUT_MS = 30_000
/** The peers' working directory: where a core dump would land, if the machine writes them. */
const CWD = mkdtempSync(join(tmpdir(), 'rel-crashes-'))
afterAll(() => rmSync(CWD, { recursive: true, force: true }))

const causes = [
  {
    name: 'uncaught exception',
    fn: 'uncaught',
    args: ['boom-uncaught'],
    names: ['exited with code 1', 'boom-uncaught'],
    bound: 3_000,
  },
  { name: 'process.abort()', fn: 'abort', args: [], names: ['killed by SIGABRT'], bound: 3_000 },
  { name: 'SIGSEGV', fn: 'segfault', args: [], names: ['killed by SIGSEGV'], bound: 3_000 },
  {
    name: 'out of memory (--max-old-space-size=32)',
    fn: 'exhaustHeap',
    args: [],
    names: ['killed by SIGABRT', 'heap out of memory'],
    bound: 10_000,
    nodeArgs: ['--max-old-space-size=32'],
  },
]

describe.each(causes)('$name mid-call', ({ name, fn, args, names, bound, nodeArgs = [] }) => {
  test(`the pending call rejects naming the cause (${TRIALS} trials per connection)`, async () => {
    const figures = new Figures(`crash mid-call: ${name}`, labels(connections), 'call → rejection', bound)
    for (const { label, connection } of connections) {
      for (let i = 0; i < TRIALS; i++) {
        const peer = await startOwned({ connection, args: nodeArgs, cwd: CWD })
        const t0 = performance.now()
        const error = await rejectionOf(peer.call(CRASH, fn, args, { timeout: CALL_TIMEOUT_MS }))
        const ms = performance.now() - t0
        const missing = names.filter((text) => !error?.message.includes(text))
        const problem = !(error instanceof PeerDownError)
          ? `${label}: ${error === undefined ? 'the call resolved' : `${error.name}: ${error.message.split('\n')[0]}`}`
          : missing.length > 0
            ? `${label}: the message does not say ${missing.map((m) => `"${m}"`).join(', ')}: ${error.message}`
            : ms > bound
              ? `${label}: rejected after ${Math.round(ms)} ms`
              : undefined
        figures.trial(ms, problem)
      }
    }
    figures.done()
  })
})
