// Vitest worker side: the fixtures (SPEC 2.1). `peer` is started lazily, one per test;
// `startPeer` starts any number; `peerOptions` holds defaults a file or describe block can
// override with `test.override({ peerOptions })` (`test.scoped` on 4.x); `usePeer()` in a test
// that uses these fixtures sees them too.
import type { Peer } from '@vitest-peer/core'
import { test as base } from 'vitest'
import type { VitestPeerOptions } from '../shared/types.js'
import { groupOf } from './group.js'
import { normalizeStartArgument } from './options.js'

/** Start a peer owned by the current test; stopped before the test ends. An array is `{ args }`. */
export type StartPeer = (options?: VitestPeerOptions | string[]) => Promise<Peer>

/** The fixtures vitest-peer adds to a test's context. */
export interface PeerFixtures {
  /** Defaults merged into every start of this test (`args` appended, `env` merged). */
  peerOptions: VitestPeerOptions
  /** Start a peer owned by this test. */
  startPeer: StartPeer
  /** A peer for this test, started on first use with `peerOptions`. */
  peer: Peer
}

type FixtureFn<T> = (context: any, use: (value: T) => Promise<void>) => Promise<void>

/** Each running test's `peerOptions`, recorded for `usePeer()`, which has no test context. */
const peerOptionsByTest = new WeakMap<object, VitestPeerOptions>()

/** The `peerOptions` of a test that uses these fixtures; `undefined` for any other test. */
export function peerOptionsOf(task: object): VitestPeerOptions | undefined {
  return peerOptionsByTest.get(task)
}

/** The fixture definitions, for `yourTest.extend<PeerFixtures>(peerFixtures)`. */
export const peerFixtures: {
  peerOptions: VitestPeerOptions
  startPeer: FixtureFn<StartPeer>
  peer: FixtureFn<Peer>
  vitestPeerDefaults: [FixtureFn<undefined>, { auto: true }]
} = {
  peerOptions: {},
  // Auto (set up for every test, used or not, and cheap): records the test's `peerOptions`, so
  // that `usePeer()` in the body gets them as `startPeer` does. It starts nothing.
  vitestPeerDefaults: [
    async ({ task, peerOptions }, use) => {
      peerOptionsByTest.set(task, peerOptions)
      await use(undefined)
    },
    { auto: true },
  ],
  // The first parameter must stay a destructuring pattern: Vitest reads fixture names from it.
  startPeer: async ({ task, peerOptions }, use) => {
    const group = groupOf(task)
    await use((options) => group.start(peerOptions, normalizeStartArgument(options)))
  },
  peer: async ({ startPeer }, use) => {
    await use(await startPeer())
  },
}

/** Vitest's `test` with `peer`, `startPeer` and `peerOptions`. */
export const test = base.extend<PeerFixtures>(peerFixtures)
/** Alias of `test`. */
export const it = test
