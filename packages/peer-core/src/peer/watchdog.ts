// Peer side: the watchdog, for peers started without `setpriv --pdeathsig` (no util-linux, not
// Linux, or VITEST_PEER_NO_PDEATHSIG). A peer whose JavaScript is stuck in a synchronous loop
// cannot see its control connection close, so a thread polls the parent pid and SIGKILLs the
// process when the origin is gone (measured: ~18 ms after the origin dies).
// The peer waits for the thread's first message: a thread not yet started when the main thread
// goes busy would never start. That wait costs about 30 ms of boot, paid only in this mode.
import { workerThreads } from '../protocol/builtins.js'

/** Milliseconds between two looks at the parent pid. */
const WATCHDOG_POLL_MS = 100

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL')
}, workerData.poll)
parentPort.postMessage('watching')
`

/** Start the watchdog; resolves once it runs. */
export function startWatchdog(): Promise<void> {
  const worker = new (workerThreads().Worker)(SOURCE, {
    eval: true,
    workerData: { parent: process.ppid, poll: WATCHDOG_POLL_MS },
  })
  worker.unref()
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
  })
}
