// Vitest worker side: the fixtures. `peer` is started lazily, one per test; `startPeer` starts
// any number; `peerOptions` holds defaults a file or describe block can override with
// `test.override({ peerOptions })` (`test.scoped` on 4.x); `usePeer()` in a test that uses these
// fixtures sees them too.
import type { Peer } from '@vitest-peer/core'
import { test as base, type TestContext } from 'vitest'
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

/** Each running test's `peerOptions`, recorded for `usePeer()`, which has no test context. */
const peerOptionsByTest = new WeakMap<object, VitestPeerOptions>()

/** The `peerOptions` of a test that uses these fixtures; `undefined` for any other test. */
export function peerOptionsOf(task: object): VitestPeerOptions | undefined {
  return peerOptionsByTest.get(task)
}

// The first parameter of each fixture must stay a destructuring pattern: Vitest reads the
// fixtures a fixture depends on from it.
const definitions = {
  peerOptions: {},
  // Auto (set up for every test, used or not, and cheap): records the test's `peerOptions`, so
  // that `usePeer()` in the body gets them as `startPeer` does. It starts nothing, and is left out
  // of the published type of `peerFixtures`: no test reads it.
  vitestPeerDefaults: [
    async (
      { task, peerOptions }: TestContext & Pick<PeerFixtures, 'peerOptions'>,
      use: (value: undefined) => Promise<void>,
    ) => {
      peerOptionsByTest.set(task, peerOptions)
      await use(undefined)
    },
    { auto: true },
  ],
  startPeer: async (
    { task, peerOptions }: TestContext & Pick<PeerFixtures, 'peerOptions'>,
    use: (value: StartPeer) => Promise<void>,
  ) => {
    const group = groupOf(task)
    await use((options) => group.start(peerOptions, normalizeStartArgument(options)))
  },
  peer: async ({ startPeer }: TestContext & Pick<PeerFixtures, 'startPeer'>, use: (value: Peer) => Promise<void>) => {
    await use(await startPeer())
  },
} as const

/** The fixture definitions, for `yourTest.extend<PeerFixtures>(peerFixtures)`. */
export const peerFixtures: {
  peerOptions: VitestPeerOptions
  startPeer: (
    context: TestContext & Pick<PeerFixtures, 'peerOptions'>,
    use: (value: StartPeer) => Promise<void>,
  ) => Promise<void>
  peer: (context: TestContext & Pick<PeerFixtures, 'startPeer'>, use: (value: Peer) => Promise<void>) => Promise<void>
} = definitions

/** Vitest's `test` with `peer`, `startPeer` and `peerOptions`. */
export const test = base.extend<PeerFixtures>(peerFixtures)
/** Alias of `test`. */
export const it = test
