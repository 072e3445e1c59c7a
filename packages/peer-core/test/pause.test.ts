// Origin side: `pause()` and `resume()`, fault injection that freezes a peer and its descendants
// (SIGSTOP to its process group) and thaws them (SIGCONT). A paused peer stays running; requests
// made meanwhile wait and their timeouts run; stop(), kill() and the link (descendants.test.ts)
// end it within the same bounds as a running peer.
import { PeerDownError, PeerTimeoutError, type ShutdownMode } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import {
  captureWarnings,
  expectReaped,
  fixture,
  flushTicks,
  procState,
  rejectionOf,
  startTracked,
  waitState,
} from './helpers.js'

const gate = fixture('gate.mjs')
const descendants = fixture('descendants.mjs')

describe.each(connectionCases)('pause and resume over $label', ({ connection }) => {
  test('pause(): the peer and its descendants are stopped, the peer stays running; resume() thaws them all', async () => {
    const peer = await startTracked({ connection })
    const children = [
      await peer.call<number>(descendants, 'spawnSleep'),
      await peer.call<number>(descendants, 'forkWorker', [], { timeout: 10_000 }),
    ]
    await peer.pause()
    expect(peer.paused).toBe(true)
    expect(peer.state).toBe('running')
    // pause() resolves once the peer itself shows as stopped.
    expect(procState(peer.pid)).toBe('T')
    for (const pid of children) expect(await waitState(pid, 'T', 1000)).toBe('T')
    await peer.resume()
    expect(peer.paused).toBe(false)
    for (const pid of [peer.pid, ...children]) expect(await waitState(pid, 'RSD', 1000)).not.toBe('T')
    expect(await peer.call(gate, 'ping')).toBe('pong')
  })

  test('requests made while paused wait and their timeouts run; resume() lets the others finish', async () => {
    const peer = await startTracked({ connection })
    expect(await peer.call(gate, 'ping')).toBe('pong')
    await peer.pause()
    let settled = false
    const waiting = peer.call(gate, 'ping', ['answered after resume'], { timeout: 60_000 }).finally(() => {
      settled = true
    })
    const timedOut = await rejectionOf(peer.call(gate, 'ping', [], { timeout: 200 }))
    expect(timedOut).toBeInstanceOf(PeerTimeoutError)
    // The request made before the one that timed out has not run either: the peer is frozen.
    expect(settled).toBe(false)
    expect(procState(peer.pid)).toBe('T')
    await peer.resume()
    expect(await waiting).toBe('answered after resume')
  })

  test.each([{ halt: 5000 }, 5000, 'close'] as ShutdownMode[])(
    'stop() (shutdown %o) of a paused peer ends it as a running one, not by the SIGKILL at the deadline',
    async (shutdown) => {
      const warnings = captureWarnings()
      const peer = await startTracked({ connection, shutdown })
      await peer.pause()
      await peer.stop()
      expect(await peer.exited).toMatchObject({ cause: 'stopped', signal: null })
      expect(peer.paused).toBe(false)
      await expectReaped(peer)
      await flushTicks()
      expect(warnings.filter((w) => w.code === 'VITEST_PEER_KILLED')).toEqual([])
    },
  )

  test.each(['SIGKILL', 'SIGTERM'] as const)(
    'kill(%s) of a paused peer: it goes down as a running one',
    async (signal) => {
      const peer = await startTracked({ connection })
      await peer.pause()
      expect(peer.kill(signal)).toBe(true)
      // A stopped process acts on SIGTERM only once continued: kill() continues it.
      expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: null, signal })
      await expectReaped(peer)
    },
  )

  test('pause() and resume() twice are harmless; once down, pause() rejects with PeerDownError and resume() resolves', async () => {
    const peer = await startTracked({ connection })
    await peer.pause()
    await peer.pause()
    expect(procState(peer.pid)).toBe('T')
    await peer.resume()
    await peer.resume()
    expect(await peer.call(gate, 'ping')).toBe('pong')
    await peer.stop()
    const error = await rejectionOf(peer.pause())
    expect(error).toBeInstanceOf(PeerDownError)
    expect(error).toMatchObject({ reason: { cause: 'stopped', exitCode: 0 } })
    await expect(peer.resume()).resolves.toBeUndefined()
    expect(peer.paused).toBe(false)
  })
})
