// Origin side: which module a request reaches (the `moduleResolver` hook) and the order in which
// requests start in the peer.
import { PeerBootError, PeerOptionsError, RemoteError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { fixture, fixturesDir, fixtureUrl, rejectionOf, startTracked } from './helpers.js'

const resolver = { module: fixtureUrl('resolver.mjs'), data: { dir: fixturesDir } }
const order = fixtureUrl('order.mjs')

describe.each(connectionCases)('modules over $label', ({ connection }) => {
  test('moduleResolver maps the specifiers of call, cast, module() and import() in evaluate', async () => {
    const peer = await startTracked({ connection, moduleResolver: resolver })
    expect(await peer.call('alias:values.mjs', 'echo', ['call'])).toBe('call')
    peer.cast('alias:messages.mjs', 'notify', [{ cast: true }])
    expect(await peer.receive()).toEqual({ cast: true })
    const typed = peer.module<typeof import('../../../fixtures/typed.mjs')>('alias:typed.mjs')
    expect(await typed.add(2, 3)).toBe(5)
    // Vite compiles this import() to __vite_ssr_dynamic_import__('alias:values.mjs'), which the peer routes.
    // @ts-expect-error: 'alias:' exists only for the resolver in the peer
    expect(await peer.evaluate(async () => (await import('alias:values.mjs')).echo('import'))).toBe('import')
    // Each specifier is resolved once per peer for call and cast (with what asked first), and once
    // for import(): Vite's ids there may name other files than the same text given to call.
    expect(await peer.call(fixture('resolver.mjs'), 'askedSoFar')).toEqual([
      'call alias:values.mjs',
      'cast alias:messages.mjs',
      'call alias:typed.mjs',
      'import alias:values.mjs',
      `call ${fixture('resolver.mjs')}`,
    ])
  })

  test('a package name loads what an import from the peer cwd would: the import build of a dual package', async () => {
    const peer = await startTracked({ connection, cwd: fixture('dual') })
    expect(await peer.call('dual-fixture', 'which')).toBe('import')
  })

  test('builtins without a resolver: their functions, `default`, and the names an unknown export error lists', async () => {
    const peer = await startTracked({ connection })
    expect(await peer.call('node:path', 'basename', ['/a/b.txt', '.txt'])).toBe('b')
    expect(await peer.call('path', 'extname', ['b.txt'])).toBe('.txt')
    // A function that reads `this` gets the module, as an import would give it its namespace's.
    expect(await peer.call('node:path', 'join', ['a', 'b'])).toBe('a/b')
    // `default` is the module itself, here a function (node:assert).
    expect(await peer.call('node:assert', 'default', [true])).toBeUndefined()
    // An export behind a getter (node:crypto's getRandomValues) is called too.
    expect(await peer.call('node:crypto', 'getRandomValues', [new Uint8Array(4)])).toHaveLength(4)
    const module = peer.module<typeof import('node:os')>('node:os')
    expect(await module.platform()).toBe(process.platform)
    const error = await rejectionOf(peer.call('node:path', 'nope'))
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.code).toBe('ERR_PEER_UNKNOWN_EXPORT')
    expect(error.message).toMatch(
      /^module 'node:path' has no function export 'nope' \(its function exports: .*\bbasename\b/,
    )
    // A cast reaches a builtin as well.
    peer.cast('node:events', 'setMaxListeners', [20])
    expect(await peer.evaluate(async () => (await import('node:events')).default.defaultMaxListeners)).toBe(20)
  })

  test('a resolver that throws fails that request only', async () => {
    const peer = await startTracked({ connection, moduleResolver: resolver })
    const error = await rejectionOf(peer.call('refuse:this', 'f'))
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.message).toBe('the resolver refuses refuse:this')
    expect(await peer.call('alias:values.mjs', 'echo', [1])).toBe(1)
  })

  test('a cast then a call to the same module start in the order sent (50 rounds, loaded and loading)', async () => {
    const peer = await startTracked({ connection })
    for (let round = 0; round < 50; round++) {
      peer.cast(order, 'record', [`cast ${round}`])
      expect(await peer.call(order, 'record', [`call ${round}`])).toBeUndefined()
      expect(await peer.call(order, 'take')).toEqual([`cast ${round}`, `call ${round}`])
      // A module loaded for this round only: both requests wait for it, and keep their order.
      const fresh = `${order.href}?round=${round}`
      peer.cast(fresh, 'record', ['first'])
      peer.cast(fresh, 'record', ['second'])
      expect(await peer.call(fresh, 'take')).toEqual(['first', 'second'])
    }
  })

  test('requests to a module still loading wait; send, evaluate and other modules go ahead', async () => {
    const peer = await startTracked({ connection })
    const waiting = peer.call(fixture('awaits-origin.mjs'), 'released')
    expect(await peer.evaluate(() => 'evaluate went ahead')).toBe('evaluate went ahead')
    expect(await peer.call('node:path', 'basename', ['/a/other'])).toBe('other')
    peer.send('go', 'released by send')
    expect(await waiting).toBe('released by send')
  })
})

describe('moduleResolver and protocol versions', () => {
  test('moduleResolver must be { module, data? } with clonable data', async () => {
    const refused = (value: unknown) => rejectionOf(startPeer({ moduleResolver: value as never }))
    expect(await refused('./resolver.mjs')).toBeInstanceOf(PeerOptionsError)
    expect((await refused({ module: '' })).message).toMatchInlineSnapshot(
      `"invalid peer option \`moduleResolver\`: { module: '' }; expected { module: string | URL, data?: structured-clonable value }"`,
    )
    expect((await refused({ module: 'x', data: () => 1 })).message).toMatchInlineSnapshot(
      `"invalid peer option \`moduleResolver\`: { module: 'x', data: [Function: data] }; expected { module: string | URL, data?: structured-clonable value } (its data cannot be cloned: () => 1 could not be cloned.)"`,
    )
  })

  test('a peer runtime that speaks another protocol version fails the boot, saying so', async () => {
    const error = await rejectionOf(
      startPeer({ name: 'old-runtime', exec: [process.execPath, [fixture('old-runtime.cjs')]] }),
    )
    expect(error).toBeInstanceOf(PeerBootError)
    expect(error.message.split('\n')[0]).toMatchInlineSnapshot(
      `"peer old-runtime runs a peer runtime that speaks protocol version 1, and this origin speaks version 3: the peer must run the runtime of the same @vitest-peer/core release as the origin"`,
    )
  })
})
