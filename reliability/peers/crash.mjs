// Peer side (test:reliability): calls that crash the peer while they are pending, each its own way.

/** Throws an uncaught exception on the next turn of the event loop; never answers. */
export function uncaught(message) {
  setImmediate(() => {
    throw new Error(message)
  })
  return new Promise(() => {})
}

/** process.abort(): SIGABRT, a core dump where enabled. */
export function abort() {
  process.abort()
}

/** A segmentation fault's signal, SIGSEGV, sent to itself. */
export function segfault() {
  process.kill(process.pid, 'SIGSEGV')
  return new Promise(() => {})
}

/** Allocates until the V8 heap (--max-old-space-size) is exhausted; never answers. */
export function exhaustHeap() {
  const kept = []
  for (;;) kept.push(new Array(100_000).fill(kept.length))
}
