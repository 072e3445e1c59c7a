// Peer side: the 'stdio' control connection. Frames from the origin arrive on stdin (nothing else
// writes there, so any other byte is damage); frames to the origin go to stdout, between whatever
// native code and grandchildren print there.
import { deserialize, serialize } from 'node:v8'
import { encodeFrame, FrameDecoder } from '../../protocol/frame.js'
import { isMessage, ORIGIN_TO_PEER_TYPES, type OriginToPeer } from '../../protocol/messages.js'
import type { PeerChannel, PeerChannelEvents, RawStreams } from './types.js'

export function connectStdio(events: PeerChannelEvents, raw: RawStreams): PeerChannel {
  const decoder = new FrameDecoder(
    {
      frame(payload) {
        let message: unknown
        try {
          message = deserialize(payload)
        } catch {
          return events.lost('a frame from the origin with an undecodable payload')
        }
        if (isMessage<OriginToPeer>(message, ORIGIN_TO_PEER_TYPES)) events.message(message)
        else events.lost('a frame from the origin that is not an origin message')
      },
      damage: (description) => events.lost(`damaged input from the origin: ${description}`),
    },
    false,
  )
  process.stdin.on('data', (chunk: Buffer) => decoder.push(chunk))
  process.stdin.once('end', () => events.lost('stdin closed'))
  process.stdin.once('error', (error) => events.lost(`stdin failed: ${error.message}`))
  return {
    send(message) {
      raw.stdout(encodeFrame(serialize(message)))
    },
    flush() {
      return new Promise((resolve) => raw.stdout(new Uint8Array(0), resolve))
    },
  }
}
