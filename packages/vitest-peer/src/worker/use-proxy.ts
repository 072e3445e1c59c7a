// Vitest worker side: `useProxy()`, the engine's `startProxy` for the running test from any test
// body, hook or helper (like `usePeer`): the proxy is closed when the test ends.
import type { NetworkProxy, NetworkProxyOptions } from '@vitest-peer/core'
import { currentTest } from './current-test.js'
import { groupOf } from './group.js'

/** Start a TCP proxy owned by the running test (see `startProxy` in @vitest-peer/core); closed when the test ends. */
export function useProxy(options: NetworkProxyOptions): Promise<NetworkProxy> {
  let task: ReturnType<typeof currentTest>
  try {
    task = currentTest('useProxy()')
  } catch (error) {
    return Promise.reject(error)
  }
  return groupOf(task).startProxy(options)
}
