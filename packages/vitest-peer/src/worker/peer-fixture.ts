// Vitest worker side: `peerFixture()`, a fixture definition for `test.extend` that starts a peer
// for one test, one test file or one worker (Vitest's fixture scopes), the way Playwright and
// Vitest share expensive fixtures. Test scope goes through the test's peer group; the wider
// scopes through scoped.ts.
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Peer } from '@vitest-peer/core'
import type { TestContext } from 'vitest'
import type { VitestPeerOptions } from '../shared/types.js'
import { currentTestOrUndefined } from './current-test.js'
import { peerOptionsOf } from './fixtures.js'
import { groupOf } from './group.js'
import { buildPeerName } from './naming.js'
import { runScopedPeer } from './scoped.js'

/** Options of `peerFixture`: a peer's options, plus the fixture's scope and label. */
export interface PeerFixtureOptions extends VitestPeerOptions {
  /** Who shares the peer: one test (default), every test of a file, or every test of a worker. */
  scope?: 'test' | 'file' | 'worker'
  /** Names the peer (`<file stem>-<label>-<n>-<pid>`); default: the scope (test scope: the test's name). */
  label?: string
}

/** Runs once, when the scope starts the peer, before any test sees it. */
export type PeerFixtureSetup = (peer: Peer) => unknown

/** A fixture definition for `test.extend`: the fixture function and Vitest's fixture options. */
export type PeerFixtureDefinition = [
  (context: TestContext, use: (peer: Peer) => Promise<void>) => Promise<void>,
  { scope: 'test' | 'file' | 'worker' },
]
type PeerFixtureFn = PeerFixtureDefinition[0]

/**
 * A peer fixture for `test.extend<{ db: Peer }>({ db: peerFixture({ scope: 'file' }, setup) })`:
 * started on first use, stopped when its scope ends. Relative `call` specifiers resolve against
 * the folder of the file that calls `peerFixture`.
 */
export function peerFixture(options: PeerFixtureOptions = {}, setup?: PeerFixtureSetup): PeerFixtureDefinition {
  const { scope = 'test', label, ...peerOptions } = options
  const base = definingFolder()
  if (scope === 'test') {
    // The first parameter must stay a destructuring pattern: Vitest reads fixture dependencies from it.
    const fn: PeerFixtureFn = async ({ task }, use) => {
      const name = peerOptions.name ?? (label === undefined ? undefined : buildPeerName(task.file.name, label))
      const peer = await groupOf(task).startAt(base, [peerOptionsOf(task), { ...peerOptions, name }])
      if (setup) await setup(peer)
      await use(peer)
    }
    return [fn, { scope }]
  }
  // A file or worker fixture gets no test: the running one (if any) tells the file.
  // biome-ignore lint/correctness/noEmptyPattern: Vitest requires a destructuring pattern here.
  const fn: PeerFixtureFn = async ({}, use) =>
    runScopedPeer(scope, label ?? scope, peerOptions, setup, { task: currentTestOrUndefined(), base }, use)
  return [fn, { scope }]
}

/** The folder of the file that called `peerFixture` (its first stack frame outside this module). */
function definingFolder(): string | undefined {
  const holder: { stack?: string } = {}
  Error.captureStackTrace(holder, peerFixture)
  for (const line of (holder.stack ?? '').split('\n').slice(1)) {
    const match = /((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(line)
    if (match?.[1] === undefined) continue
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1]
    return dirname(file)
  }
  return undefined
}
