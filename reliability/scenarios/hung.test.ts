// Hung peers: a peer stuck in a synchronous loop cannot hear a stop, nor see its connection close.
// stop() (halt, and graceful) must still end it by its deadline's SIGKILL, and kill() at once,
// over every connection. Clean-up time: from the stop() or kill() call until the process is gone.
import { fileURLToPath } from 'node:url'
import type { Peer, ShutdownMode } from '@vitest-peer/core'
import { describe, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures } from '../helpers/figures.js'
import { countWarnings, startOwned } from '../helpers/peers.js'
import { isGone, procOf } from '../helpers/proc.js'

const TRIALS = 4
const BUSY = fileURLToPath(new URL('../../fixtures/busy.mjs', import.meta.url))
/** The stop deadline of these peers: short, so that the SIGKILL after it comes soon. */
const DEADLINE_MS = 300
/** What the end may take beyond the deadline (SIGKILL, reap, drain the output) on a loaded box. */
const SLACK_MS = 1500

interface Mode {
  name: string
  shutdown: ShutdownMode
  end: (peer: Peer) => Promise<unknown>
  bound: number
  /** Whether each end says, as a process warning, that the deadline's SIGKILL was needed. */
  warns: boolean
}

const modes: Mode[] = [
  {
    name: 'stop() with shutdown { halt: 300 }',
    shutdown: { halt: DEADLINE_MS },
    end: (p) => p.stop(),
    bound: DEADLINE_MS + SLACK_MS,
    warns: true,
  },
  {
    name: 'stop() with shutdown 300 (graceful)',
    shutdown: DEADLINE_MS,
    end: (p) => p.stop(),
    bound: DEADLINE_MS + SLACK_MS,
    warns: true,
  },
  { name: 'kill()', shutdown: { halt: DEADLINE_MS }, end: (p) => (p.kill(), p.exited), bound: SLACK_MS, warns: false },
]

describe.each(modes)('a peer in a busy loop, $name', ({ name, shutdown, end, bound, warns }) => {
  test(`ends it within its bound (${TRIALS} trials per connection)`, async () => {
    const warnings = countWarnings('VITEST_PEER_KILLED')
    const figures = new Figures(`hung peer (busy loop): ${name}`, labels(connections), 'call → process gone', bound)
    for (const { label, connection } of connections) {
      for (let i = 0; i < TRIALS; i++) {
        const peer = await startOwned({ connection, shutdown })
        const proc = procOf(peer.pid)!
        peer.cast(BUSY, 'busyLoop', [60_000])
        await peer.waitForOutput('busy loop started', { timeout: 15_000 })
        const t0 = performance.now()
        await end(peer)
        await peer.exited
        const ms = performance.now() - t0
        const warned = warnings.count
        warnings.count = 0
        const problem = !isGone(proc)
          ? `${label}: still running after stop()/exited resolved`
          : ms > bound
            ? `${label}: took ${Math.round(ms)} ms`
            : warned !== (warns ? 1 : 0)
              ? `${label}: ${warned} VITEST_PEER_KILLED warnings`
              : undefined
        figures.trial(ms, problem)
      }
    }
    figures.done()
  })
})
