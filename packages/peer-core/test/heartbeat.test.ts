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

  test('a peer paused on purpose is exempt: silent for four periods, it is running after resume()', async () => {
    const peer = await startTracked({ connection, heartbeat: 200 })
    await peer.pause()
    // The silence under test: four periods while paused (a duration, not a synchronisation).
    await new Promise((resolve) => setTimeout(resolve, 800))
    await peer.resume()
    expect(await peer.call('node:path', 'basename', ['/a/b'])).toBe('b')
    expect(peer.state).toBe('running')
  })

  test('a responsive peer stays up across many periods, also while it awaits long work', async () => {
    const peer = await startTracked({ connection, heartbeat: 100 })
    // 600 ms of asynchronous work in the peer: six periods, its event loop free to answer ticks.
    expect(await peer.evaluate(() => new Promise((resolve) => setTimeout(() => resolve('done'), 600)))).toBe('done')
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
