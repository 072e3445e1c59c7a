// Peer side: the 'stdio' control connection. Frames from the origin arrive on stdin (nothing else
// writes there, so any other byte is damage); frames to the origin go to stdout, between whatever
// native code and grandchildren print there.
import { v8 } from '../../protocol/builtins.js'
import { encodeFrame } from '../../protocol/frame.js'
import { originMessageDecoder } from './framed.js'
import type { PeerChannel, PeerChannelEvents, RawStreams } from './types.js'

export function connectStdio(events: PeerChannelEvents, raw: RawStreams): PeerChannel {
  // A blocking stdout writes each frame whole before anything else on this thread can write:
  // otherwise a native write(2) on fd 1 (native code, fs.writeSync) could land inside a frame
  // that the asynchronous stream had written only in part. The cost is backpressure: a peer
  // whose origin stops reading blocks in its writes, as a program writing to a slow pipe does.
  ;(process.stdout as unknown as { _handle?: { setBlocking?(on: boolean): number } })._handle?.setBlocking?.(true)
  const { serialize } = v8()
  const decoder = originMessageDecoder(events)
  process.stdin.on('data', (chunk: Buffer) => decoder.push(chunk))
  process.stdin.once('end', () => events.lost('stdin closed'))
  process.stdin.once('error', (error) => events.lost(`stdin failed: ${error.message}`))
  return {
    send(message) {
      raw.stdout(encodeFrame(serialize(message)))
    },
    whenOpen(callback) {
      callback()
    },
    flush() {
      return new Promise((resolve) => raw.stdout(new Uint8Array(0), resolve))
    },
  }
}
