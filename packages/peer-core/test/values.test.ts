// Origin side: values cross the control connection with the structured-clone algorithm, and
// errors thrown in the peer arrive as RemoteError with name, message, stack, code, cause and own
// properties.
import { type Peer, RemoteError, startPeer } from '@vitest-peer/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { fixture, rejectionOf, stopAndExpectReaped } from './helpers.js'

const values = fixture('values.mjs')
const errors = fixture('errors.mjs')

function richValue() {
  const circular: Record<string, unknown> = { name: 'loop' }
  circular.self = circular
  const shared = { shared: true }
  return {
    map: new Map<unknown, unknown>([
      ['a', 1],
      [{ key: 'object' }, new Set([1, 2])],
    ]),
    set: new Set(['x', 'y']),
    date: new Date('2024-02-29T12:00:00.000Z'),
    big: 2n ** 70n,
    bytes: new Uint8Array([1, 2, 255]),
    floats: new Float64Array([0.5, -1.25]),
    buffer: Buffer.from('origin bytes'),
    arrayBuffer: new Uint16Array([1, 65535]).buffer,
    nested: { a: { b: { c: [{ d: 'deep' }] } } },
    circular,
    twice: [shared, shared],
    missing: undefined,
    nan: Number.NaN,
    negativeZero: -0,
    regexp: /ab+c/gi,
    // biome-ignore lint/suspicious/noSparseArray: holes must survive the clone
    sparse: [1, , 3],
    unicode: 'é こ 😀 \uFFFD',
  }
}

describe.each(connectionCases)('values over $label', ({ connection }) => {
  let peer: Peer
  beforeAll(async () => {
    peer = await startPeer({ connection })
  })
  afterAll(() => stopAndExpectReaped(peer))

  test('a rich value round-trips: Map, Set, Date, BigInt, typed arrays, Buffer, circular, undefined, NaN', async () => {
    const sent = richValue()
    const back = (await peer.call(values, 'echo', [sent])) as ReturnType<typeof richValue>
    expect(back).toStrictEqual(sent)
    expect(back).not.toBe(sent)
    expect(back.circular.self).toBe(back.circular)
    expect(back.twice[0]).toBe(back.twice[1])
    expect(Object.is(back.negativeZero, -0)).toBe(true)
    expect(Number.isNaN(back.nan)).toBe(true)
    expect('missing' in back).toBe(true)
    expect(Buffer.isBuffer(back.buffer)).toBe(true)
    expect(back.big).toBe(2n ** 70n)
  })

  test('the peer sees the real types, not lookalikes', async () => {
    const seen = await peer.call(values, 'inspect', [
      {
        map: new Map(),
        set: new Set(),
        date: new Date(0),
        big: 1n,
        bytes: new Uint8Array(1),
        buffer: Buffer.from('x'),
        missing: undefined,
        nan: Number.NaN,
      },
    ])
    expect(seen).toEqual({
      map: 'Map',
      set: 'Set',
      date: 'Date',
      big: 'bigint',
      bytes: 'Uint8Array',
      buffer: 'Buffer',
      missing: 'undefined',
      nan: 'NaN',
    })
  })

  test('a rich value built in the peer arrives intact', async () => {
    const got = (await peer.call(values, 'sample')) as Record<string, unknown> & { circular: { self: unknown } }
    expect(got).toMatchObject({
      map: new Map<string, unknown>([
        ['a', 1],
        ['b', { nested: [1, 2, 3] }],
      ]),
      set: new Set(['x', 'y']),
      date: new Date('2024-02-29T12:00:00.000Z'),
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 255]),
      floats: new Float64Array([0.5, -1.25]),
      nested: { a: { b: { c: [{ d: 'deep' }] } } },
      regexp: /ab+c/gi,
    })
    expect(Buffer.isBuffer(got.buffer) && (got.buffer as Buffer).toString()).toBe('peer bytes')
    expect(got.circular.self).toBe(got.circular)
    expect('missing' in got && got.missing === undefined).toBe(true)
    expect(Number.isNaN(got.nan)).toBe(true)
    expect(Object.is(got.negativeZero, -0)).toBe(true)
  })

  test('top-level values: undefined, null, NaN, BigInt, a string, several arguments', async () => {
    expect(await peer.call(values, 'echo', [undefined])).toBeUndefined()
    expect(await peer.call(values, 'echo', [null])).toBeNull()
    expect(await peer.call(values, 'echo', [Number.NaN])).toBeNaN()
    expect(await peer.call(values, 'echo', [12345678901234567890n])).toBe(12345678901234567890n)
    expect(await peer.call(values, 'echo')).toBeUndefined()
    expect(await peer.call(values, 'echoArgs', [1, undefined, 'three'])).toStrictEqual([1, undefined, 'three'])
  })

  test('a large value (8 MiB Buffer) crosses', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 7)
    big[big.length - 1] = 9
    const back = (await peer.call(values, 'echo', [big])) as Buffer
    expect(back.length).toBe(big.length)
    expect(back.equals(big)).toBe(true)
  })

  test('errors inside values cross as errors, both ways', async () => {
    const sent = { failure: Object.assign(new Error('in a value'), { code: 'E_VALUE' }) }
    const back = (await peer.call(values, 'echo', [sent])) as { failure: Error & { code: string } }
    expect(back.failure).toBeInstanceOf(Error)
    expect(back.failure).toMatchObject({ message: 'in a value', code: 'E_VALUE' })
  })

  test('a thrown custom error: RemoteError with name, message, stack, code, cause, own properties', async () => {
    const error = (await rejectionOf(peer.call(errors, 'failQuery'))) as RemoteError & Record<string, unknown>
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('DatabaseError')
    expect(error.message).toBe('query failed: connection refused')
    expect(error.code).toBe('E_DATABASE')
    expect(error.remote).toBe(true)
    expect(error.stack).toContain('errors.mjs')
    expect(error.stack).toContain('failQuery')
    expect(error.table).toBe('users')
    expect(error.details).toEqual({ retryAfterMs: 250, attempts: [1, 2] })
    const cause = error.cause as Error & { code?: string }
    expect(cause).toBeInstanceOf(RemoteError)
    expect(cause).toMatchObject({ name: 'TypeError', message: 'socket closed', code: 'E_SOCKET' })
    expect(cause.stack).toContain('errors.mjs')
  })

  test('an async rejection arrives the same way; an error without code gets ERR_PEER_REMOTE', async () => {
    const error = await rejectionOf(peer.call(errors, 'failLater', ['out of range']))
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ name: 'RangeError', message: 'out of range', code: 'ERR_PEER_REMOTE' })
    expect(error.stack).toContain('errors.mjs')
  })

  test('a Node system error keeps code, errno, syscall and path', async () => {
    const error = await rejectionOf(
      peer.evaluate(async () => {
        const fs = await import('node:fs/promises')
        await fs.readFile('/no/such/dir/file.txt')
      }),
    )
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ code: 'ENOENT', syscall: 'open', path: '/no/such/dir/file.txt' })
    expect(typeof error.errno).toBe('number')
  })

  test('a circular cause (error.cause === error) is rebuilt as such', async () => {
    const error = await rejectionOf(
      peer.evaluate(() => {
        const e = new Error('my own cause') as Error & { cause?: unknown }
        e.cause = e
        throw e
      }),
    )
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.cause).toBe(error)
  })

  test('an AggregateError keeps its errors (an own property), each rebuilt', async () => {
    const error = (await rejectionOf(
      peer.evaluate(() => {
        throw new AggregateError(
          [new TypeError('first'), Object.assign(new Error('second'), { code: 'E2' })],
          'all failed',
        )
      }),
    )) as Error & { errors?: Error[] }
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ name: 'AggregateError', message: 'all failed' })
    expect(error.errors).toHaveLength(2)
    expect(error.errors?.[0]).toMatchObject({ name: 'TypeError', message: 'first' })
    expect(error.errors?.[1]).toMatchObject({ message: 'second', code: 'E2' })
  })

  test('a thrown non-Error value rejects the call and keeps its content', async () => {
    // The form is ours to choose: the value itself, or an error that carries it.
    const thrown: unknown = await peer.call(errors, 'throwString').then(
      () => 'resolved',
      (e: unknown) => e,
    )
    expect(thrown instanceof Error ? thrown.message : thrown).toContain('plain string thrown')
  })
})
