// Origin side: the heartbeat (`heartbeat: ms`, OTP's net tick). A peer whose JavaScript is stuck
// still has a healthy connection; only its silence tells. Off by default.
import { PeerDownError, PeerOptionsError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { fixture, isGone, rejectionOf, startTracked } from './helpers.js'

describe.each(connectionCases)('heartbeat over $label', ({ connection }) => {
  test('a peer stuck in a loop goes down as unresponsive; its pending call says why', async () => {
    const peer = await startTracked({ connection, heartbeat: 400, name: 'hung' })
    const pending = rejectionOf(peer.call(fixture('busy.mjs'), 'busyLoop', [60_000], { timeout: 30_000 }))
    await peer.waitForOutput('busy loop started')
    const started = performance.now()
    const reason = await peer.exited
    expect(reason).toEqual({ cause: 'unresponsive', exitCode: null, signal: 'SIGKILL' })
    // A period of silence (400 ms) plus one tick at most; generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(isGone(peer.pid)).toBe(true)
    const error = await pending
    expect(error).toBeInstanceOf(PeerDownError)
    expect(error.message.split('\n')[0]).toMatch(/stopped answering its heartbeat \(killed by SIGKILL\)$/)
  })

  test('a peer paused on purpose is exempt: silent for periods, it is running after resume()', async () => {
    // Periods long enough that a loaded machine's scheduling never makes a live peer look silent.
    const peer = await startTracked({ connection, heartbeat: 1000 })
    await peer.pause()
    // The silence under test: two and a half periods while paused (a duration, not a synchronisation).
    await new Promise((resolve) => setTimeout(resolve, 2500))
    await peer.resume()
    expect(await peer.call('node:path', 'basename', ['/a/b'])).toBe('b')
    expect(peer.state).toBe('running')
  })

  test('a responsive peer stays up across many periods, also while it awaits long work', async () => {
    const peer = await startTracked({ connection, heartbeat: 1000 })
    // 2.5 s of asynchronous work in the peer: two and a half periods, its event loop free to answer ticks.
    expect(await peer.evaluate(() => new Promise((resolve) => setTimeout(() => resolve('done'), 2500)))).toBe('done')
    expect(peer.state).toBe('running')
  })
})

test('heartbeat: a number of milliseconds (at least 4) or false', async () => {
  const error = await rejectionOf(startPeer({ heartbeat: 0 }))
  expect(error).toBeInstanceOf(PeerOptionsError)
  expect(error.message).toMatchInlineSnapshot(
    `"invalid peer option \`heartbeat\`: 0; expected a number of milliseconds (at least 4), or false"`,
  )
})
