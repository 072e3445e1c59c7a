// Origin side: the link. A peer halts when it loses the control connection, for any
// reason: its origin SIGKILLed (even while the peer is stuck in a synchronous loop), the origin
// closing the connection, or a failure in the peer's own connection handling.

import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Connection } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { captureWarnings, fixture, flushTicks, isGone, startTracked, waitGone } from './helpers.js'

/** The link's deadline: no peer outlives its origin by more than a second. */
const LINK_DEADLINE_MS = 1000

/** Runs fixtures/origin.mjs (an origin process of its own) and reads the pid of its peer. */
async function startOrigin(
  options: { connection: Connection; detached: boolean },
  mode: 'idle' | 'busy',
  setpriv = true,
): Promise<{ origin: ChildProcess; peerPid: number }> {
  const origin = spawn(process.execPath, [fixture('origin.mjs'), JSON.stringify(options), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Without setpriv's parent-death signal the peer's watchdog thread is what ends a busy peer.
    env: setpriv ? process.env : { ...process.env, VITEST_PEER_NO_PDEATHSIG: '1' },
  })
  let stderr = ''
  origin.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const exited = new Promise<never>((_, reject) => {
    origin.once('exit', (code, signal) =>
      reject(new Error(`origin.mjs exited (${code ?? signal}) before printing its peer: ${stderr}`)),
    )
  })
  const lines = createInterface({ input: origin.stdout! })
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve))
  const line = await Promise.race([firstLine, exited])
  lines.close()
  const { pid } = JSON.parse(line) as { pid: number }
  return { origin, peerPid: pid }
}

/** SIGKILLs the origin; true when the peer is gone within LINK_DEADLINE_MS of the kill. */
async function killOriginAndWatchPeer(origin: ChildProcess, peerPid: number): Promise<boolean> {
  const reaped = new Promise((resolve) => origin.once('exit', resolve))
  origin.kill('SIGKILL')
  const gone = waitGone(peerPid, LINK_DEADLINE_MS)
  await reaped
  return gone
}

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
      const { origin, peerPid } = await startOrigin({ connection, detached }, mode, setpriv)
      try {
        const argv = readFileSync(`/proc/${peerPid}/cmdline`, 'utf8').split('\0')
        expect(argv.includes('--vitest-peer-watchdog')).toBe(!setpriv)
        // Alive. Busy: origin.mjs waited for the line busy.mjs writes with writeSync just before
        // its loop, so the peer is inside that synchronous call and its event loop cannot see the
        // connection go. (Its /proc state is not proof either way: a spinning thread shows 'S'
        // while it waits for V8's GC or compiler helper threads.)
        expect(isGone(peerPid)).toBe(false)
        expect(await killOriginAndWatchPeer(origin, peerPid)).toBe(true)
      } finally {
        origin.kill('SIGKILL')
        // Do not leave the peer behind even when the assertion failed.
        if (!isGone(peerPid)) process.kill(peerPid, 'SIGKILL')
      }
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
