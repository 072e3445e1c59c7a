// Vitest worker side: which test is running, for helpers called without the test context
// (`usePeer`, `peerName`). Vitest's own current-test tracking (`getCurrentTest()`, and the
// imported `onTestFinished` built on it) is one global: under `test.concurrent` it names the test
// started last, and after an `await` nothing. The plugin's setup file runs every test inside an
// AsyncLocalStorage instead (an `aroundEach` hook), which follows each test's async calls.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { RunnerTestCase } from 'vitest'
import { NoCurrentTestError } from '../errors.js'

// Process-wide on purpose: the setup file and the test files may get separate instances of this
// module (Vitest can inline it per entry), and they must share one store.
const STORE = Symbol.for('vitest-peer.testStore')
type StoreHolder = { [STORE]?: AsyncLocalStorage<RunnerTestCase> }

/** The store of the running test; created once per worker by the setup file. */
export function installTestStore(): AsyncLocalStorage<RunnerTestCase> {
  const holder = globalThis as StoreHolder
  holder[STORE] ??= new AsyncLocalStorage<RunnerTestCase>()
  return holder[STORE]
}

/** The running test, or a `NoCurrentTestError` that says how to fix the call (`what` names the caller). */
export function currentTest(what: string): RunnerTestCase {
  const store = (globalThis as StoreHolder)[STORE]
  const task = store?.getStore()
  if (task === undefined) throw new NoCurrentTestError(what, store !== undefined)
  return task
}
