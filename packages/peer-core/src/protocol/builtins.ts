// Both sides: Node builtins that only some control connections need, loaded on first use rather
// than when the peer runtime starts (it is one bundled file, whose static imports would all load
// at once): crypto for the socket handshake, zlib for the frame CRC, net for the sockets, v8 for
// frames, worker_threads for the watchdog. Each costs 0.4–1.7 ms of a peer's boot.
import type * as Crypto from 'node:crypto'
import { createRequire } from 'node:module'
import type * as Net from 'node:net'
import type * as V8 from 'node:v8'
import type * as WorkerThreads from 'node:worker_threads'
import type * as Zlib from 'node:zlib'

type Load = (id: string) => unknown

/** `process.getBuiltinModule` (Node 20.16 and later), else a `require` (any base path finds builtins). */
export const loadBuiltin: Load =
  (process as { getBuiltinModule?: Load }).getBuiltinModule?.bind(process) ?? createRequire('/')

function lazy<T>(id: string): () => T {
  let module: T | undefined
  return () => {
    module ??= loadBuiltin(id) as T
    return module
  }
}

export const crypto = lazy<typeof Crypto>('node:crypto')
export const net = lazy<typeof Net>('node:net')
export const v8 = lazy<typeof V8>('node:v8')
export const workerThreads = lazy<typeof WorkerThreads>('node:worker_threads')
export const zlib = lazy<typeof Zlib>('node:zlib')
