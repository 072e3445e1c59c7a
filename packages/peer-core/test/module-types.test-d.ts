// Origin side, types only (run by Vitest's typecheck): `peer.module<M>()` turns every function
// export of M into an async remote call with the same parameters, and drops other exports.
import type { Peer, RemoteModule } from '@vitest-peer/core'
import { describe, expectTypeOf, test } from 'vitest'

type Typed = typeof import('../../../fixtures/typed.mjs')

describe('peer.module<M>()', () => {
  test('function exports become async calls with the same parameters', () => {
    const typed = ({} as Peer).module<Typed>('./typed.mjs')
    expectTypeOf(typed).toEqualTypeOf<RemoteModule<Typed>>()
    expectTypeOf(typed.add).toEqualTypeOf<(a: number, b: number) => Promise<number>>()
    expectTypeOf(typed.greet).toEqualTypeOf<(name: string) => Promise<string>>()
    expectTypeOf(typed.stats).returns.resolves.toEqualTypeOf<{ count: number; max: number }>()
    expectTypeOf(typed.add).parameters.toEqualTypeOf<[a: number, b: number]>()
  })

  test('non-function exports are not on the proxy; wrong arguments do not compile', () => {
    const typed = ({} as Peer).module<Typed>(new URL('file:///typed.mjs'))
    expectTypeOf(typed).not.toHaveProperty('version')
    // @ts-expect-error add takes numbers
    void typed.add('1', 2)
    // @ts-expect-error greet takes one argument
    void typed.greet()
  })

  test('call, evaluate and receive are typed for any value', () => {
    const peer = {} as Peer
    expectTypeOf(peer.evaluate((a: number, b: string) => `${b}${a}`, 1, 'x')).resolves.toEqualTypeOf<string>()
    expectTypeOf(peer.evaluate(async () => 42)).resolves.toEqualTypeOf<number>()
    expectTypeOf(peer.cast).returns.toEqualTypeOf<void>()
    expectTypeOf(peer.send).returns.toEqualTypeOf<void>()
  })
})

describe('Peer<M>: the type of the messages a peer sends', () => {
  test("'message', receive and flush share it; receive<T> and flush<T> narrow it", () => {
    type Event = { kind: 'ready'; port: number } | { kind: 'stopped' }
    const peer = {} as Peer<Event>
    peer.on('message', (message) => expectTypeOf(message).toEqualTypeOf<Event>())
    expectTypeOf(peer.receive()).resolves.toEqualTypeOf<Event>()
    expectTypeOf(peer.receive((m) => m.kind === 'ready')).resolves.toEqualTypeOf<Event>()
    expectTypeOf(peer.receive<{ kind: 'ready'; port: number }>()).resolves.toHaveProperty('port')
    expectTypeOf(peer.flush()).toEqualTypeOf<Event[]>()
    expectTypeOf(({} as Peer).receive()).resolves.toBeUnknown()
    expectTypeOf(peer.waitForMatch(/port (\d+)/)).resolves.toEqualTypeOf<RegExpExecArray>()
  })
})
