// Origin side: messages between origin and peer: origin.send -> 'message' and
// receive() (a selective receive, as OTP's), register + peer.send, onShutdown hooks.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PeerDownError, PeerTimeoutError } from '@vitest-peer/core'
import { afterAll, describe, expect, test } from 'vitest'
import { connectionCases, connectionLabel } from './connections.js'
import { fixture, nextEvent, rejectionOf, startTracked } from './helpers.js'

const messages = fixture('messages.mjs')
const dir = mkdtempSync(join(tmpdir(), 'vitest-peer-messages-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.each(connectionCases)('messages over $label', ({ connection }) => {
  test("origin.send: a 'message' event and a queued message for receive()", async () => {
    const peer = await startTracked({ connection })
    const event = nextEvent<[unknown]>(peer, 'message')
    await peer.call(messages, 'sendAll', [[{ n: 1, at: new Date(0) }]])
    expect(await event).toEqual([{ n: 1, at: new Date(0) }])
    // The event did not consume it: it is still queued.
    expect(await peer.receive()).toEqual({ n: 1, at: new Date(0) })
  })

  test('receive() waits for a message sent later', async () => {
    const peer = await startTracked({ connection })
    const received = peer.receive()
    peer.cast(messages, 'notify', ['later'])
    expect(await received).toBe('later')
  })

  test('receive(predicate) is selective: other messages stay queued, in order', async () => {
    const peer = await startTracked({ connection })
    await peer.call(messages, 'sendAll', [[1, 2, 3, 4, 5].map((n) => ({ n }))])
    expect(await peer.receive((m) => (m as { n: number }).n === 3)).toEqual({ n: 3 })
    expect(await peer.receive((m) => (m as { n: number }).n % 2 === 0)).toEqual({ n: 2 })
    expect(await peer.receive()).toEqual({ n: 1 })
    expect(await peer.receive()).toEqual({ n: 4 })
    expect(await peer.receive()).toEqual({ n: 5 })
  })

  test('flush(match?) removes and returns queued messages at once, oldest first', async () => {
    const peer = await startTracked({ connection })
    await peer.call(messages, 'sendAll', [[1, 2, 3, 4, 5].map((n) => ({ n }))])
    expect(peer.flush<{ n: number }>((m) => (m as { n: number }).n % 2 === 0)).toEqual([{ n: 2 }, { n: 4 }])
    expect(peer.flush()).toEqual([{ n: 1 }, { n: 3 }, { n: 5 }])
    expect(peer.flush()).toEqual([])
    // Flush, act, receive: the message received is the one the action caused.
    await peer.call(messages, 'sendAll', [['stale']])
    peer.flush()
    peer.cast(messages, 'notify', ['fresh'])
    expect(await peer.receive()).toBe('fresh')
    expect(() => peer.flush('n' as never)).toThrow(TypeError)
  })

  test('a burst of 5000 messages arrives complete and in order', async () => {
    const peer = await startTracked({ connection })
    const sent = Array.from({ length: 5000 }, (_, i) => i)
    await peer.call(messages, 'sendAll', [sent])
    const got: unknown[] = []
    for (let i = 0; i < sent.length; i++) got.push(await peer.receive())
    expect(got).toEqual(sent)
  })

  test('a pending selective receive skips messages it does not accept', async () => {
    const peer = await startTracked({ connection })
    const wanted = peer.receive((m) => m === 'wanted')
    const any = peer.receive()
    await peer.call(messages, 'sendAll', [['other', 'wanted']])
    expect(await wanted).toBe('wanted')
    expect(await any).toBe('other')
  })

  test('receive timeout: PeerTimeoutError; the message that comes later is still queued', async () => {
    const peer = await startTracked({ connection })
    const error = await rejectionOf(peer.receive(undefined, { timeout: 50 }))
    expect(error).toBeInstanceOf(PeerTimeoutError)
    expect(error).toMatchObject({ code: 'ERR_PEER_TIMEOUT', operation: 'receive', timeout: 50 })
    await peer.call(messages, 'sendAll', [['after the timeout']])
    expect(await peer.receive()).toBe('after the timeout')
  })

  test('a peer that goes down rejects pending receives with PeerDownError at once', async () => {
    const peer = await startTracked({ connection })
    // Far longer than the test timeout: only an immediate rejection lets the test pass.
    const pending = rejectionOf(peer.receive(undefined, { timeout: 600_000 }))
    const selective = rejectionOf(peer.receive(() => false, { timeout: 600_000 }))
    peer.kill()
    for (const error of [await pending, await selective]) {
      expect(error).toBeInstanceOf(PeerDownError)
      expect(error).toMatchObject({ code: 'ERR_PEER_DOWN', reason: { cause: 'crashed', signal: 'SIGKILL' } })
    }
    // And a receive after the peer is down rejects at once too.
    expect(await rejectionOf(peer.receive(undefined, { timeout: 600_000 }))).toBeInstanceOf(PeerDownError)
  })

  test('register + peer.send: the handler gets the message (and answers with origin.send)', async () => {
    const peer = await startTracked({ connection })
    expect(await peer.call(messages, 'registerEcho', ['jobs'])).toBe('jobs')
    expect(peer.send('jobs', { job: 1, payload: new Map([['k', 1n]]) })).toBeUndefined()
    peer.send('jobs', { job: 2 })
    expect(await peer.receive()).toEqual({ to: 'jobs', got: { job: 1, payload: new Map([['k', 1n]]) } })
    expect(await peer.receive()).toEqual({ to: 'jobs', got: { job: 2 } })
  })

  test('peer.send to a name nobody registered is dropped; the peer keeps serving', async () => {
    const peer = await startTracked({ connection })
    peer.send('nobody-here', { lost: true })
    expect(await peer.call(messages, 'sendAll', [['still here']])).toBe(1)
    expect(await peer.receive()).toBe('still here')
    expect(peer.state).toBe('running')
  })

  test('onShutdown hooks run on a graceful stop (shutdown: ms), and their output is kept', async () => {
    const file = join(dir, `graceful-${connectionLabel(connection).replace(/\W/g, '_')}`)
    const peer = await startTracked({ connection, shutdown: 5000 })
    await peer.call(messages, 'addShutdownHook', [file, 'graceful'])
    await peer.call(messages, 'addShutdownHook', [`${file}-second`, 'second'])
    await peer.stop()
    expect(readFileSync(file, 'utf8')).toBe('graceful')
    expect(readFileSync(`${file}-second`, 'utf8')).toBe('second')
    expect(peer.output).toContain('shutdown hook ran: graceful\n')
    expect(peer.output).toContain('shutdown hook ran: second\n')
    expect(await peer.exited).toEqual({ cause: 'stopped', exitCode: 0, signal: null })
  })

  test('a failing onShutdown hook does not stop the others or hang the stop', async () => {
    const file = join(dir, `failing-${connectionLabel(connection).replace(/\W/g, '_')}`)
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const peer = await startTracked({ connection, shutdown: 5000 })
      await peer.call(messages, 'addThrowingShutdownHook')
      await peer.call(messages, 'addShutdownHook', [file, 'after the failure'])
      await peer.stop()
      expect(readFileSync(file, 'utf8')).toBe('after the failure')
      expect((await peer.exited).signal).toBeNull()
      expect(peer.output).toContain('shutdown hook failed')
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => (w as { code?: string }).code === 'VITEST_PEER_KILLED')).toEqual([])
  })

  test('onShutdown hooks do not run on halt', async () => {
    const file = join(dir, `halt-${connectionLabel(connection).replace(/\W/g, '_')}`)
    for (const shutdown of ['halt', { halt: 5000 }] as const) {
      const peer = await startTracked({ connection, shutdown })
      await peer.call(messages, 'addShutdownHook', [file, 'halt'])
      await peer.stop()
      expect(await peer.exited).toEqual({ cause: 'stopped', exitCode: 0, signal: null })
      expect(existsSync(file)).toBe(false)
      expect(peer.output).not.toContain('shutdown hook ran')
    }
  })
})
