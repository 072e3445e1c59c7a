// Peer side: the console relay. JavaScript writes to process.stdout/stderr (console.* included)
// become 'out' messages on the control connection, so they reach the origin in order with call
// replies (a console line printed before a call returns arrives before its reply). Native writes and grandchildren still reach the raw
// fd 1/2, which the origin reads as well.
import type { RawStreams } from './connection/types.js'

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean

/** Keep the original stdout write for frames and the flush; return it. */
export function rawStreams(): RawStreams {
  const write = process.stdout.write.bind(process.stdout) as Write
  return { stdout: (chunk, callback) => void write(chunk, undefined, callback) }
}

/** Redirect JavaScript writes on stdout (1) and stderr (2) to `relay`. */
export function relayConsole(relay: (stream: 1 | 2, data: string | Uint8Array) => void): void {
  patch(process.stdout, 1, relay)
  patch(process.stderr, 2, relay)
}

function patch(stream: NodeJS.WriteStream, id: 1 | 2, relay: (stream: 1 | 2, data: string | Uint8Array) => void): void {
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
