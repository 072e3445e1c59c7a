// Origin side: the engine under misuse and odd timing (found in review). Each case used to hang
// the origin, revive a dead start, crash a peer or the origin, or throw where the API must not.
import { spawnSync } from 'node:child_process'
import { PeerBootError, PeerCloneError, PeerDownError, RemoteError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { captureWarnings, fixture, fixturesDir, flushTicks, rejectionOf, startTracked, track } from './helpers.js'

const values = fixture('values.mjs')

describe.each(connectionCases)('robustness over $label', ({ connection }) => {
  test('send and cast after the connection is lost (the peer still alive) return at once', async () => {
    const peer = await startTracked({ connection, shutdown: 'close' })
    peer.cast(fixture('busy.mjs'), 'busyLoop', [300])
    await peer.waitForOutput('busy loop started')
    await peer.stop() // closes the connection; the busy peer cannot see it for 300 ms
    peer.send('anyone', 1)
    peer.cast('node:os', 'hostname')
    expect(await rejectionOf(peer.call('node:os', 'hostname'))).toBeInstanceOf(PeerDownError)
    expect((await peer.exited).cause).toBe('stopped')
  })

  test('an abort after the hello arrived but before it was read still rejects the start', async () => {
    const controller = new AbortController()
    const peer = track(await startPeer({ connection, waitBoot: false, signal: controller.signal }))
    // Keep the origin busy while the peer boots, so that its hello waits unread.
    const until = Date.now() + 400
    while (Date.now() < until) {}
    controller.abort()
    expect(await rejectionOf(peer.booted)).toBeInstanceOf(PeerBootError)
    expect((await peer.exited).cause).toBe('stopped')
  })

  test('a result that fails to encode is an error answer, on the fast path too; the peer keeps serving', async () => {
    const peer = await startTracked({ connection })
    for (let i = 0; i < 2; i++) {
      // The second call finds the module loaded and answers in the same tick.
      const error = await rejectionOf(peer.call(values, 'withThrowingGetter'))
      expect(error).toBeInstanceOf(RemoteError)
      expect(error.message).toContain('getter exploded')
    }
    expect(await peer.call(values, 'echo', ['still serving'])).toBe('still serving')
  })

  test('an argument that fails to encode: cast warns and never throws, call rejects', async () => {
    const peer = await startTracked({ connection })
    const argument = {
      get boom() {
        throw new Error('getter exploded')
      },
    }
    const warnings = captureWarnings()
    expect(() => peer.cast(values, 'echo', [argument])).not.toThrow()
    await flushTicks()
    expect(warnings.map((w) => w.code)).toContain('VITEST_PEER_CAST')
    const call = peer.call(values, 'echo', [argument]) // a rejected promise, not a synchronous throw
    expect(await rejectionOf(call)).toBeInstanceOf(PeerCloneError)
    expect(await peer.call(values, 'echo', ['next'])).toBe('next')
  })

  test('output that never ends its line is bounded: past the limit it is cut into a line', async () => {
    const peer = await startTracked({ connection })
    const forced = peer.waitForOutput(/^x+$/, { timeout: 15_000 })
    await peer.evaluate(() => {
      const chunk = 'x'.repeat(64 * 1024)
      for (let i = 0; i < 40; i++) process.stdout.write(chunk)
    })
    expect((await forced).length).toBeGreaterThan(1024 * 1024)
    expect(peer.output.length).toBeLessThan(1024 * 1024 + 100)
  })
})

test("a 'down' listener that throws does not keep exited from resolving; its error surfaces", () => {
  const script = `
    import { startPeer } from '@vitest-peer/core'
    process.on('uncaughtException', (error) => console.log('surfaced: ' + error.message))
    const peer = await startPeer()
    peer.on('down', () => { throw new Error('listener failed') })
    peer.kill()
    console.log('exited: ' + (await peer.exited).cause)
  `
  // An origin process of its own: the listener's error is an uncaught exception there.
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fixturesDir,
    encoding: 'utf8',
    timeout: 20_000,
  })
  expect(run.stdout).toContain('exited: crashed')
  expect(run.stdout).toContain('surfaced: listener failed')
})
