// Vitest worker side: the errors vitest-peer adds to the engine's. Each has a stable `code`.
import type { PeerReport } from './shared/types.js'

/** Base class of vitest-peer's own errors. */
export abstract class VitestPeerError extends Error {
  abstract readonly code: string
  override get name(): string {
    return this.constructor.name
  }
}

/**
 * `usePeer()`/`peerName()` were called where no test can be found: without the plugin's setup
 * file (`ERR_VITEST_PEER_NO_PLUGIN`) or outside a test (`ERR_VITEST_PEER_NO_TEST`).
 */
export class NoCurrentTestError extends VitestPeerError {
  readonly code: 'ERR_VITEST_PEER_NO_PLUGIN' | 'ERR_VITEST_PEER_NO_TEST'
  constructor(what: string, pluginInstalled: boolean) {
    super(
      pluginInstalled
        ? `${what} was called outside a test: call it from a test body, a beforeEach/afterEach hook or a test-scoped fixture`
        : `${what} needs the vitest-peer plugin, which tells it which test is running (also under test.concurrent). ` +
            `Add it to vitest.config.ts:\n\n` +
            `  import { vitestPeer } from 'vitest-peer/plugin'\n` +
            `  export default defineConfig({ plugins: [vitestPeer()] })\n\n` +
            `or use the fixtures instead: test('…', async ({ peer, startPeer }) => { … })`,
    )
    this.code = pluginInstalled ? 'ERR_VITEST_PEER_NO_TEST' : 'ERR_VITEST_PEER_NO_PLUGIN'
  }
}

/** A peer was requested for a test whose peers were already torn down (e.g. a timed-out body still running). */
export class TestEndedError extends VitestPeerError {
  readonly code = 'ERR_VITEST_PEER_TEST_ENDED'
  constructor(test: string) {
    super(`cannot start a peer for test "${test}": the test has ended and its peers were stopped`)
  }
}

/**
 * Attached to a failed test (thrown from its `onTestFailed` hook): every peer of the test with
 * its command line, environment, state, exit status, output tail and crash reports.
 */
export class PeerDiagnosticsError extends VitestPeerError {
  readonly code = 'ERR_VITEST_PEER_DIAGNOSTICS'
  /** The same data, machine-readable (also in `task.meta.vitestPeer`). */
  declare readonly peers: PeerReport[]
  constructor(message: string, peers: PeerReport[]) {
    super(message)
    // Not enumerable: inspecting the error shows the report once, as its message.
    Object.defineProperty(this, 'peers', { value: peers, enumerable: false })
  }

  /**
   * What crosses from the worker to Vitest's reporters besides the name, message and stack:
   * nothing. Vitest prints every other property of a failed test's error as a one-line
   * "Serialized Error" (terminal, JUnit), which would repeat the whole report; the data is in
   * `task.meta.vitestPeer` instead.
   */
  toJSON(): Record<string, never> {
    return {}
  }
}
