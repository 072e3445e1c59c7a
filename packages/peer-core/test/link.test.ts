// Origin side: the link. A peer halts when it loses the control connection, for any
// reason: its origin SIGKILLed (even while the peer is stuck in a synchronous loop), the origin
// closing the connection, or a failure in the peer's own connection handling.

import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { killOriginAndWatch, startOrigin } from './helpers/origin.js'
import { captureWarnings, fixture, flushTicks, isGone, startTracked } from './helpers.js'

describe.each(connectionCases)('the link over $label', ({ connection }) => {
  test.each([
    { mode: 'idle', detached: false },
    { mode: 'idle', detached: true },
    { mode: 'busy', detached: false },
    { mode: 'busy', detached: true },
    { mode: 'idle', detached: false, setpriv: false },
    { mode: 'busy', detached: false, setpriv: false },
  ] as const)(
    'the origin process SIGKILLed, peer $mode, detached $detached, setpriv $setpriv: the peer is gone within 1 s',
    async ({ mode, detached, setpriv = true }: { mode: 'idle' | 'busy'; detached: boolean; setpriv?: boolean }) => {
      const { origin, report } = await startOrigin({ connection, detached }, mode, setpriv)
      const argv = readFileSync(`/proc/${report.pid}/cmdline`, 'utf8').split('\0')
      expect(argv.includes('--vitest-peer-watchdog')).toBe(!setpriv)
      // Alive. Busy: origin.mjs waited for the line busy.mjs writes with writeSync just before
      // its loop, so the peer is inside that synchronous call and its event loop cannot see the
      // connection go. (Its /proc state is not proof either way: a spinning thread shows 'S'
      // while it waits for V8's GC or compiler helper threads.)
      expect(isGone(report.pid)).toBe(false)
      expect(await killOriginAndWatch(origin, report.pid)).toBe(true)
    },
  )

  test("shutdown 'close': stop() closes the connection and returns; the peer halts on its own", async () => {
    const peer = await startTracked({ connection, shutdown: 'close' })
    await peer.stop()
    const reason = await peer.exited
    // Halting on its own, not the 5 s SIGKILL fallback.
    expect(reason).toMatchObject({ cause: 'stopped', signal: null })
    expect(typeof reason.exitCode).toBe('number')
    expect(peer.state).toEqual({ down: reason })
  })

  test("a failure in the peer's own connection handling halts it (exit code 1)", async () => {
    const peer = await startTracked({ connection })
    const scheduled = await peer.evaluate(() => {
      const runtime = (globalThis as Record<symbol, unknown>)[Symbol.for('vitest-peer.runtime')] as
        | { connection?: { fail?: (error: Error) => void } }
        | undefined
      const fail = runtime?.connection?.fail
      if (typeof fail !== 'function') return 'no runtime connection with fail() on globalThis'
      setImmediate(() => fail.call(runtime?.connection, new Error('injected connection failure')))
      return 'scheduled'
    })
    expect(scheduled).toBe('scheduled')
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: 1, signal: null })
  })
})

test("shutdown 'close' of a peer that cannot see the close (stuck in a loop): SIGKILL after 5 s, with a warning", async () => {
  const warnings = captureWarnings()
  const peer = await startTracked({ connection: 'ipc', shutdown: 'close' })
  peer.cast(fixture('busy.mjs'), 'busyLoop', [30_000])
  await peer.waitForOutput('busy loop started')
  await peer.stop()
  // stop() returned at once; the process is still there, stuck.
  expect(isGone(peer.pid)).toBe(false)
  expect(await peer.exited).toEqual({ cause: 'stopped', exitCode: null, signal: 'SIGKILL' })
  await flushTicks()
  expect(warnings.filter((w) => w.code === 'VITEST_PEER_KILLED').map((w) => w.message)).toHaveLength(1)
})
