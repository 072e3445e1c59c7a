// Vitest worker side: the setup file the plugin adds to every test file. It runs each test
// inside an AsyncLocalStorage (for `usePeer`/`peerName`), and stops this worker's peers when the
// Vitest main process goes away while the worker lingers (SPEC 1.5).
import { aroundEach, inject } from 'vitest'
import { PROVIDE_KEY } from '../constants.js'
import { sweep } from '../shared/registry.js'
import type { ProvidedConfig } from '../shared/types.js'
import { installTestStore } from './current-test.js'

const store = installTestStore()

// The second parameter must stay a destructuring pattern: Vitest parses it for fixtures.
aroundEach(async (runTest, { task }) => {
  await store.run(task, runTest)
})

const WATCHING = Symbol.for('vitest-peer.watchingMain')
const config = (inject as (key: string) => unknown)(PROVIDE_KEY) as ProvidedConfig | undefined
const registry = config?.registry || null
const holder = globalThis as { [WATCHING]?: boolean }

// A `forks` worker talks to the main process over Node's IPC channel. When the main process dies
// (SIGKILL, crash) the channel disconnects, but the worker can go on running its test
// (research/vitest-integration.md §5); its peers are linked to the worker, not to the main
// process, so the worker kills them itself. In `threads` the workers die with the main process.
if (registry !== null && typeof process.send === 'function' && !holder[WATCHING]) {
  holder[WATCHING] = true
  process.once('disconnect', () => {
    sweep(registry, (record) => record.worker === process.pid)
  })
}
