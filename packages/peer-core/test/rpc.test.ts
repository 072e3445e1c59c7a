// Origin side: running code in a peer: call, cast, send, evaluate, typed module()
// proxies, unknown modules and exports, non-cloneable arguments and call timeouts.
import { hostname } from 'node:os'
import { type Peer, PeerCloneError, PeerDownError, PeerTimeoutError, RemoteError, startPeer } from '@vitest-peer/core'
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest'
import { connectionCases } from './connections.js'
import {
  captureWarnings,
  fixture,
  fixturesDir,
  fixtureUrl,
  rejectionOf,
  startTracked,
  stopAndExpectReaped,
} from './helpers.js'

const gate = fixture('gate.mjs')
const values = fixture('values.mjs')
const messages = fixture('messages.mjs')

describe.each(connectionCases)('rpc over $label', ({ connection }) => {
  // One peer for the tests that leave it serving; tests that end a peer start their own.
  let peer: Peer
  beforeAll(async () => {
    peer = await startPeer({ connection })
  })
  afterAll(() => stopAndExpectReaped(peer))

  test('call: a builtin, a package, an absolute path and a file: URL', async () => {
    expect(await peer.call('node:os', 'hostname')).toBe(hostname())
    expect(await peer.call('node:path', 'join', ['a', 'b'])).toBe('a/b')
    expect(await peer.call(values, 'echo', ['path'])).toBe('path')
    expect(await peer.call(fixtureUrl('values.mjs'), 'echo', ['url'])).toBe('url')
    expect(await peer.call(fixtureUrl('values.mjs').href, 'echo', ['href'])).toBe('href')
    // A bare builtin name, without the node: prefix.
    expect(await peer.call('path', 'basename', ['/a/b.txt'])).toBe('b.txt')
  })

  test('call: module state lives in the peer, async results are awaited', async () => {
    const first = (await peer.call(values, 'increment')) as number
    expect(await peer.call(values, 'increment')).toBe(first + 1)
    expect(await peer.call(values, 'later', ['awaited'])).toBe('awaited')
  })

  test('call: many concurrent calls each get their own answer', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => peer.call(values, 'later', [i])))
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => i))
  })

  test('cast: runs without waiting for an answer', async () => {
    expect(peer.cast(messages, 'notify', [{ cast: 1 }])).toBeUndefined()
    expect(await peer.receive((m) => (m as { cast?: number }).cast === 1)).toEqual({ cast: 1 })
  })

  test('cast: failures in the peer do not reach the origin, the peer keeps serving', async () => {
    peer.cast(fixture('errors.mjs'), 'failQuery')
    peer.cast('/no/such/module.mjs', 'f')
    const warnings = captureWarnings()
    peer.cast(values, 'echo', [() => 1])
    expect(warnings.map((w) => w.code)).toEqual(['VITEST_PEER_CAST'])
    expect(await peer.call(gate, 'ping')).toBe('pong')
  })

  test('evaluate: a self-contained function with arguments, sync or async', async () => {
    expect(await peer.evaluate((a: number, b: number) => a + b, 2, 40)).toBe(42)
    expect(await peer.evaluate(async (s: string) => `${s} ${process.pid}`, 'pid')).toBe(`pid ${peer.pid}`)
    expect(await peer.evaluate(() => typeof globalThis.process.versions.node)).toBe('string')
  })

  test('evaluate: a dynamic import() inside the function, as written in a Vitest test file', async () => {
    // Vite rewrites import() in test files to __vite_ssr_dynamic_import__(), and the shipped
    // source is the rewritten one: the peer must still be able to run it.
    expect(
      await peer.evaluate(async () => {
        const os = await import('node:os')
        return os.hostname()
      }),
    ).toBe(hostname())
  })

  test('evaluate: a throw arrives as RemoteError', async () => {
    const error = await rejectionOf(
      peer.evaluate(() => {
        throw Object.assign(new SyntaxError('evaluated and thrown'), { code: 'E_EVAL' })
      }),
    )
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ name: 'SyntaxError', message: 'evaluated and thrown', code: 'E_EVAL' })
  })

  test('module<M>(): a typed proxy of remote calls', async () => {
    const typed = peer.module<typeof import('../../../fixtures/typed.mjs')>(fixtureUrl('typed.mjs'))
    expectTypeOf(typed.add).toEqualTypeOf<(a: number, b: number) => Promise<number>>()
    expectTypeOf(typed.greet).toEqualTypeOf<(name: string) => Promise<string>>()
    expectTypeOf(typed.stats).returns.resolves.toEqualTypeOf<{ count: number; max: number }>()
    expectTypeOf(typed).not.toHaveProperty('version')
    // @ts-expect-error add takes numbers
    typed.add('1', 2).catch(() => {})
    expect(await typed.add(20, 22)).toBe(42)
    expect(await typed.greet('peer')).toBe('hello peer')
    expect(await typed.stats([3, 9, 4])).toEqual({ count: 3, max: 9 })
    // A path works as well as a URL.
    const byPath = peer.module<typeof import('../../../fixtures/typed.mjs')>(`${fixturesDir}typed.mjs`)
    expect(await byPath.add(1, 1)).toBe(2)
  })

  test('an unknown module: RemoteError ERR_MODULE_NOT_FOUND naming it', async () => {
    const error = await rejectionOf(peer.call('/no/such/module.mjs', 'f'))
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.code).toBe('ERR_MODULE_NOT_FOUND')
    expect(error.message).toContain('/no/such/module.mjs')
    const bare = await rejectionOf(peer.call('no-such-package-vitest-peer', 'f'))
    expect(bare).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' })
    expect(bare.message).toContain('no-such-package-vitest-peer')
  })

  test('an unknown export: RemoteError ERR_PEER_UNKNOWN_EXPORT naming it and the module', async () => {
    const error = await rejectionOf(peer.call(values, 'noSuchExport'))
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.code).toBe('ERR_PEER_UNKNOWN_EXPORT')
    expect(error.message.replace(fixturesDir, '<fixtures>/')).toMatchInlineSnapshot(
      `"module '<fixtures>/values.mjs' has no function export 'noSuchExport' (its function exports: echo, echoArgs, increment, inspect, later, returnsFunction, sample, withThrowingGetter)"`,
    )
    // An export that is not a function is no better.
    const notFn = await rejectionOf(peer.call(fixture('errors.mjs'), 'notAFunction'))
    expect(notFn).toBeInstanceOf(RemoteError)
    expect(notFn.message).toContain('notAFunction')
  })

  test('a non-cloneable argument fails at the origin with PeerCloneError; the peer keeps serving', async () => {
    const error = await rejectionOf(peer.call(values, 'echo', [{ callback: () => 1 }]))
    expect(error).toBeInstanceOf(PeerCloneError)
    expect(error.code).toBe('ERR_PEER_CLONE')
    expect(await rejectionOf(peer.call(values, 'echo', [Symbol('s')]))).toBeInstanceOf(PeerCloneError)
    expect(
      await rejectionOf(
        peer.evaluate(
          (f: unknown) => f,
          () => 1,
        ),
      ),
    ).toBeInstanceOf(PeerCloneError)
    expect(await peer.call(values, 'echo', ['next call works'])).toBe('next call works')
  })

  test('peer.send of a non-cloneable message throws PeerCloneError at once; cast only warns', async () => {
    expect(() => peer.send('anyone', { callback: () => 1 })).toThrow(PeerCloneError)
    const warnings = captureWarnings()
    expect(() => peer.cast(values, 'echo', [() => 1])).not.toThrow()
    expect(warnings.map((w) => w.code)).toEqual(['VITEST_PEER_CAST'])
    expect(await peer.call(gate, 'ping', ['still serving'])).toBe('still serving')
  })

  test('a non-cloneable result is an error too, and the peer keeps serving', async () => {
    const error = await rejectionOf(peer.call(values, 'returnsFunction'))
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toMatch(/clone/i)
    expect(await peer.call(gate, 'ping', ['still serving'])).toBe('still serving')
  })

  test('bad arguments of call, receive and waitForOutput get a clear error, nothing is sent', async () => {
    const args = await rejectionOf(peer.call(values, 'echo', 'not an array' as unknown as unknown[]))
    expect(args).toBeInstanceOf(TypeError)
    expect(args.message).toMatch(/args/)
    for (const timeout of [-1, Number.NaN, '100' as unknown as number]) {
      const call = await rejectionOf(peer.call(values, 'echo', [1], { timeout }))
      expect(call.message, `call timeout ${timeout}`).toMatch(/timeout/)
      const receive = await rejectionOf(peer.receive(undefined, { timeout }))
      expect(receive).not.toBeInstanceOf(PeerTimeoutError)
      expect(receive.message, `receive timeout ${timeout}`).toMatch(/timeout/)
      const wait = await rejectionOf(peer.waitForOutput('x', { timeout }))
      expect(wait).not.toBeInstanceOf(PeerTimeoutError)
      expect(wait.message, `waitForOutput timeout ${timeout}`).toMatch(/timeout/)
    }
    expect(await peer.call(gate, 'ping', ['still serving'])).toBe('still serving')
  })

  test('a call timeout rejects with PeerTimeoutError; the late reply is dropped; the peer keeps serving', async () => {
    const error = await rejectionOf(peer.call(gate, 'waitForGate', ['late reply'], { timeout: 100 }))
    expect(error).toBeInstanceOf(PeerTimeoutError)
    expect(error).toMatchObject({ code: 'ERR_PEER_TIMEOUT', timeout: 100 })
    expect(error.operation).toContain('waitForGate')
    // Open the gate: the late reply is sent right after this call's reply...
    expect(await peer.call(gate, 'release')).toBe('released')
    // ...and before this one's, so by now it has arrived and was dropped.
    expect(await peer.call(gate, 'ping', ['after the late reply'])).toBe('after the late reply')
    expect(peer.state).toBe('running')
    expect(peer.diagnostics).toEqual([])
  })
  test('each pending call times out at its own deadline, whatever was made before it', async () => {
    // All pending calls share one deadline timer: one made later with a shorter timeout re-arms it.
    let longSettled = false
    const long = peer.call(gate, 'never', [], { timeout: 60_000 })
    long.then(
      () => {
        longSettled = true
      },
      () => {
        longSettled = true
      },
    )
    const short = await rejectionOf(peer.call(gate, 'never', [], { timeout: 100 }))
    expect(short).toMatchObject({ code: 'ERR_PEER_TIMEOUT', timeout: 100 })
    const shorter = await rejectionOf(peer.call(gate, 'never', [], { timeout: 50 }))
    expect(shorter).toMatchObject({ code: 'ERR_PEER_TIMEOUT', timeout: 50 })
    expect(longSettled).toBe(false)
    expect(await peer.call(gate, 'ping', ['still serving'])).toBe('still serving')
  })
})

describe.each(connectionCases)('rpc with a peer that is down, over $label', ({ connection }) => {
  test('pending calls reject with PeerDownError; call and evaluate reject, cast and send are no-ops', async () => {
    const peer = await startTracked({ connection })
    const pending = rejectionOf(peer.call(gate, 'never', [], { timeout: 60_000 }))
    peer.kill()
    const error = await pending
    expect(error).toBeInstanceOf(PeerDownError)
    expect(error).toMatchObject({ code: 'ERR_PEER_DOWN', reason: { cause: 'crashed', signal: 'SIGKILL' } })
    await peer.exited
    expect(await rejectionOf(peer.call(gate, 'ping'))).toBeInstanceOf(PeerDownError)
    expect(await rejectionOf(peer.evaluate(() => 1))).toBeInstanceOf(PeerDownError)
    const typed = peer.module<typeof import('../../../fixtures/typed.mjs')>(fixtureUrl('typed.mjs'))
    expect(await rejectionOf(typed.add(1, 2))).toBeInstanceOf(PeerDownError)
    expect(peer.cast(gate, 'ping')).toBeUndefined()
    expect(peer.send('anyone', { hello: 1 })).toBeUndefined()
  })
})
