// Vitest worker side: `usePeer` and `peerName`, Common Test's ?CT_PEER and ?CT_PEER_NAME for
// any test body, found through the plugin's per-test AsyncLocalStorage (correct under
// `test.concurrent`).
import type { Peer } from '@vitest-peer/core'
import type { VitestPeerOptions } from '../shared/types.js'
import { currentTest } from './current-test.js'
import { peerOptionsOf } from './fixtures.js'
import { groupOf } from './group.js'
import { buildPeerName } from './naming.js'
import { normalizeStartArgument } from './options.js'

/** Start a peer owned by the running test (stopped before it ends), like `?CT_PEER(Options)`. An array is `{ args }`. */
export function usePeer(options?: VitestPeerOptions | string[]): Promise<Peer> {
  let task: ReturnType<typeof currentTest>
  try {
    task = currentTest('usePeer()')
  } catch (error) {
    return Promise.reject(error)
  }
  // A test of vitest-peer's `test` (or of a `test.extend` with `peerFixtures`) has `peerOptions`.
  return groupOf(task).start(peerOptionsOf(task), normalizeStartArgument(options))
}

/**
 * A peer name by the Common Test conventions for the running test: `<file stem>-<label>-<n>-<pid>`,
 * `label` defaulting to the test's name (`?CT_PEER_NAME(Label)`).
 */
export function peerName(label?: string): string {
  const task = currentTest('peerName()')
  return buildPeerName(task.file.name, label ?? task.name)
}
