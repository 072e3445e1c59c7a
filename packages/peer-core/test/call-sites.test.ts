// Origin side: every rejection of a Peer method points at the line of the test that made the
// request, not at the engine's timer or stream callbacks, so a runner's code frame shows the test.
import { fileURLToPath } from 'node:url'
import {
  PeerBootError,
  PeerDownError,
  PeerOptionsError,
  PeerTimeoutError,
  RemoteError,
  startPeer,
} from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { fixture, rejectionOf, startTracked } from './helpers.js'

const thisFile = fileURLToPath(import.meta.url)
const gate = fixture('gate.mjs')

/** The `this file:line` frames of a stack. */
function testFrames(error: Error): string[] {
  return (error.stack ?? '').split('\n').filter((line) => line.includes(`${thisFile}:`))
}

/** The line number in this file of a stack's `index`-th frame that names it. */
function lineOf(error: Error, index = 0): number {
  const frame = testFrames(error)[index] ?? ''
  return Number(/:(\d+):\d+\)?$/.exec(frame)?.[1])
}

/** The line that calls `here()` (for expected line numbers without hard-coding them). */
function here(): number {
  return lineOf(new Error(), 1)
}

describe.each(connectionCases)('call sites over $label', ({ connection }) => {
  test('call: a remote error keeps its remote frames, then the test line', async () => {
    const peer = await startTracked({ connection })
    const line = here() + 1
    const error = await rejectionOf(peer.call(fixture('errors.mjs'), 'failQuery'))
    expect(error).toBeInstanceOf(RemoteError)
    expect(lineOf(error)).toBe(line)
    const stack = error.stack ?? ''
    // The remote frames (the fixture that threw) come before the origin's.
    expect(stack.indexOf('errors.mjs')).toBeLessThan(stack.indexOf(thisFile))
  })

  test('call timeout, evaluate, module(), receive and waitForOutput point at their test lines', async () => {
    const peer = await startTracked({ connection })
    let line = here() + 1
    const timeout = await rejectionOf(peer.call(gate, 'never', [], { timeout: 20 }))
    expect(timeout).toBeInstanceOf(PeerTimeoutError)
    expect(lineOf(timeout)).toBe(line)
    // The engine's own frames (a timer callback) are gone.
    expect(timeout.stack).not.toContain('_onTimeout')

    line = here() + 1
    const evaluated = await rejectionOf(peer.evaluate(() => Promise.reject(new Error('no'))))
    expect(lineOf(evaluated)).toBe(line)

    line = here() + 1
    const proxied = await rejectionOf(peer.module<{ never(): void }>(gate).never())
    expect(lineOf(proxied)).toBe(line)

    line = here() + 1
    const received = await rejectionOf(peer.receive(undefined, { timeout: 20 }))
    expect(lineOf(received)).toBe(line)

    line = here() + 1
    const waited = await rejectionOf(peer.waitForOutput('never printed', { timeout: 20 }))
    expect(lineOf(waited)).toBe(line)
  })

  test('a call pending when the peer goes down', async () => {
    const peer = await startTracked({ connection })
    const line = here() + 1
    const pending = rejectionOf(peer.call(gate, 'never', [], { timeout: 60_000 }))
    peer.kill()
    const error = await pending
    expect(error).toBeInstanceOf(PeerDownError)
    expect(lineOf(error)).toBe(line)
  })
})

test('startPeer: a boot failure points at the start', async () => {
  const line = here() + 1
  const error = await rejectionOf(startPeer({ args: ['--no-such-flag'] }))
  expect(lineOf(error)).toBe(line)
})

test('restart: refused overrides and a failed boot of the new peer point at the restart', async () => {
  const peer = await startTracked()
  let line = here() + 1
  const refused = await rejectionOf(peer.restart({ shutdown: 'later' } as never))
  expect(refused).toBeInstanceOf(PeerOptionsError)
  expect(lineOf(refused)).toBe(line)

  line = here() + 1
  const failed = await rejectionOf(peer.restart({ args: ['--no-such-flag'] }))
  expect(failed).toBeInstanceOf(PeerBootError)
  expect(lineOf(failed)).toBe(line)
})

test('pause of a peer that is down points at the pause', async () => {
  const peer = await startTracked()
  await peer.stop()
  const line = here() + 1
  const error = await rejectionOf(peer.pause())
  expect(error).toBeInstanceOf(PeerDownError)
  expect(lineOf(error)).toBe(line)
})
