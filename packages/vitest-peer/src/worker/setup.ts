// Vitest worker side: the setup file the plugin adds to every test file. It runs each test
// inside an AsyncLocalStorage (for `usePeer`/`peerName`), and stops this worker's peers when the
// Vitest main process goes away while the worker lingers: a peer must not outlive its run.
import { aroundEach } from 'vitest'
import { registryAt } from '../shared/registry.js'
import { installTestStore } from './current-test.js'
import { providedConfig } from './settings.js'

const store = installTestStore()

// The second parameter must stay a destructuring pattern: Vitest parses it for fixtures.
aroundEach(async (runTest, { task }) => {
  await store.run(task, runTest)
})

const WATCHING = Symbol.for('vitest-peer.watchingMain')
const registry = registryAt(providedConfig()?.registry)
const holder = globalThis as { [WATCHING]?: boolean }

// A `forks` worker talks to the main process over Node's IPC channel. When the main process dies
// (SIGKILL, crash) the channel disconnects, but the worker does not always die with it: it was
// seen to go on running its test, holding its peers. Those peers are linked to the worker, not to
// the main process, so the worker kills them itself. In `threads` the workers die with the main process.
if (typeof process.send === 'function' && !holder[WATCHING]) {
  holder[WATCHING] = true
  process.once('disconnect', () => {
    registry.sweep((record) => record.worker === process.pid)
  })
}
