// Vitest worker side: the public API of `vitest-peer`. The plugin is a separate entry,
// 'vitest-peer/plugin', because a config file cannot import a module that calls `test.extend`.

import type { PeerReport } from './shared/types.js'

export type * from '@vitest-peer/core'
export {
  describeDown,
  Peer,
  PeerBootError,
  PeerCloneError,
  PeerDownError,
  PeerError,
  PeerOptionsError,
  PeerProtocolError,
  PeerTimeoutError,
  RemoteError,
  randomName,
} from '@vitest-peer/core'
export { NoCurrentTestError, PeerDiagnosticsError, TestEndedError, VitestPeerError } from './errors.js'
export type {
  PeerReport,
  SerializablePeerOptions,
  TypeScriptMode,
  VitestPeerExtraOptions,
  VitestPeerOptions,
} from './shared/types.js'
export { it, type PeerFixtures, peerFixtures, type StartPeer, test } from './worker/fixtures.js'
export { peerName, usePeer } from './worker/use-peer.js'

declare module 'vitest' {
  interface TaskMeta {
    /** vitest-peer's failure report: every peer of a failed test (absent for passing tests). */
    vitestPeer?: { peers: PeerReport[] }
  }
}
