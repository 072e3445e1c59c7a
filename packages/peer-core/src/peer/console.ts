// Peer side: the console relay. JavaScript writes to process.stdout/stderr (console.* included)
// become 'out' messages on the control connection, so they reach the origin in order with call
// replies (a console line printed before a call returns arrives before its reply). Native writes and grandchildren still reach the raw
// fd 1/2, which the origin reads as well.
import type { RawStreams } from './connection/types.js'

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean
type Relay = (stream: 1 | 2, data: string | Uint8Array) => void

/** stdout's own write, kept when the relay replaces it: frames and the flush go there. */
let stdoutWrite: Write | undefined

/** Writes to the real stdout, past the relay. */
export function rawStreams(): RawStreams {
  return {
    stdout: (chunk, callback) => {
      if (stdoutWrite === undefined) {
        const stream = process.stdout // patched on this first touch when the relay waits for it
        stdoutWrite ??= stream.write.bind(stream) as Write
      }
      stdoutWrite(chunk, undefined, callback)
    },
  }
}

/**
 * Redirect JavaScript writes on stdout (1) and stderr (2) to `relay`. A stream Node has not made
 * yet (the first touch of process.stdout costs about 1 ms) is patched when something first asks
 * for it, so a peer that never prints never makes it.
 */
export function relayConsole(relay: Relay): void {
  patchOnFirstUse('stdout', 1, relay)
  patchOnFirstUse('stderr', 2, relay)
}

function patchOnFirstUse(name: 'stdout' | 'stderr', id: 1 | 2, relay: Relay): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name)
  const get = descriptor?.get
  if (get === undefined || !descriptor?.configurable) return patch(process[name], id, relay)
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: descriptor.enumerable,
    get() {
      // Node's own getter makes the stream once and keeps it: restore it, then patch its stream.
      Object.defineProperty(process, name, descriptor)
      const stream = get.call(process) as NodeJS.WriteStream
      patch(stream, id, relay)
      return stream
    },
  })
}

function patch(stream: NodeJS.WriteStream, id: 1 | 2, relay: Relay): void {
  if (id === 1) stdoutWrite ??= stream.write.bind(stream) as Write
  const replacement = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    if (typeof encoding === 'function') {
      callback = encoding
      encoding = undefined
    }
    let data: string | Uint8Array
    if (typeof chunk === 'string') {
      data =
        encoding === undefined || encoding === 'utf8' || encoding === 'utf-8'
          ? chunk
          : Buffer.from(chunk, encoding as BufferEncoding)
    } else if (chunk instanceof Uint8Array) {
      data = chunk
    } else {
      data = String(chunk)
    }
    relay(id, data)
    if (typeof callback === 'function') process.nextTick(callback as () => void)
    return true
  }
  stream.write = replacement as typeof stream.write
}
