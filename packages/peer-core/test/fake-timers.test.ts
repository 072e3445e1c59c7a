// Origin side: a test that fakes timers (vi.useFakeTimers) must not freeze the engine, which runs
// in the same process: boot, call, receive and waitForOutput timeouts and the SIGKILL ladder keep
// real time (the engine captures setTimeout/clearTimeout at module load).
import { PeerTimeoutError, startPeer } from '@vitest-peer/core'
import { describe, expect, test, vi } from 'vitest'
import { connectionCases } from './connections.js'
import { captureWarnings, fixture, procState, rejectionOf } from './helpers.js'

describe.each(connectionCases)('fake timers in the test, over $label', ({ connection }) => {
  test('timeouts and the stop ladder still run in real time', async () => {
    vi.useFakeTimers()
    try {
      const peer = await startPeer({ connection, shutdown: 200, waitBoot: 10_000 })
      try {
        expect(await peer.call(fixture('values.mjs'), 'echo', ['served'])).toBe('served')
        // Each of these would wait for a fake clock that never moves if the engine used it.
        expect(await rejectionOf(peer.receive(undefined, { timeout: 30 }))).toBeInstanceOf(PeerTimeoutError)
        expect(await rejectionOf(peer.waitForOutput('never', { timeout: 30 }))).toBeInstanceOf(PeerTimeoutError)
        expect(await rejectionOf(peer.call(fixture('gate.mjs'), 'never', [], { timeout: 30 }))).toBeInstanceOf(
          PeerTimeoutError,
        )
        // A peer that will not stop: SIGKILL after 200 real milliseconds, with a warning.
        const warnings = captureWarnings()
        await peer.call(fixture('stubborn.mjs'), 'arm')
        await peer.stop()
        expect(warnings.map((w) => w.code)).toEqual(['VITEST_PEER_KILLED'])
        expect(await peer.exited).toEqual({ cause: 'stopped', exitCode: null, signal: 'SIGKILL' })
        expect(procState(peer.pid)).toBeUndefined()
      } finally {
        peer.kill()
      }
    } finally {
      vi.useRealTimers()
    }
  })

  test('a boot timeout fires in real time', async () => {
    vi.useFakeTimers()
    try {
      const error = await rejectionOf(
        startPeer({ connection, args: ['--require', fixture('block-boot.cjs')], waitBoot: 200 }),
      )
      expect(error).toBeInstanceOf(PeerTimeoutError)
      expect(procState(error.pid as number)).toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
  })
})
