// Origin side: messages over a byte stream as frames (frame.ts) of v8-serialised messages; shared
// by the stdio, TCP and Unix-socket control connections.
import type { Writable } from 'node:stream'
import { deserialize, serialize } from 'node:v8'
import { FrameDecoder, writeFrame } from '../../protocol/frame.js'
import { type OriginToPeer, type PeerToOrigin, peerMessageProblem } from '../../protocol/messages.js'
import type { OriginChannelEvents } from './types.js'

/**
 * Serialise `message` (throws, writing nothing, when it cannot be) and, when `open`, write it on
 * `stream` as a frame without payload CRC: only the origin writes to the peer.
 */
export function sendMessage(stream: Writable, message: OriginToPeer, open: boolean): void {
  const payload = serialize(message)
  if (open) writeFrame(stream, payload)
}

/**
 * A decoder that turns frames from the peer into messages, and (multiplexed) other bytes into text.
 * `onStreamDamage` runs after damage to the byte stream itself (not a bad message in a sound frame):
 * a socket is a reliable stream, so its connection is closed then.
 */
export function peerMessageDecoder(
  events: OriginChannelEvents,
  multiplexed: boolean,
  onStreamDamage?: () => void,
): FrameDecoder {
  return new FrameDecoder(
    {
      frame(payload) {
        let message: unknown
        try {
          message = deserialize(payload)
        } catch (error) {
          events.damage(`frame with an undecodable payload (${(error as Error).message}); dropped`)
          return
        }
        const wrong = peerMessageProblem(message)
        if (wrong === undefined) events.message(message as PeerToOrigin)
        else events.damage(`frame that is not a valid peer message (${wrong}); dropped`)
      },
      text: (bytes) => events.text('stdout', bytes),
      damage: (description) => {
        events.damage(description)
        onStreamDamage?.()
      },
    },
    multiplexed,
    undefined,
    multiplexed,
  )
}
