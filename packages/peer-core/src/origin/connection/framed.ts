// Origin side: messages over a byte stream as frames (frame.ts) of v8-serialised messages; shared
// by the stdio, TCP and Unix-socket control connections.
import { deserialize, serialize } from 'node:v8'
import { encodeFrame, FrameDecoder } from '../../protocol/frame.js'
import { isMessage, type OriginToPeer, PEER_TO_ORIGIN_TYPES, type PeerToOrigin } from '../../protocol/messages.js'
import type { OriginChannelEvents } from './types.js'

/** Encode one message as a frame; throws when the message cannot be serialised. */
export function frameMessage(message: OriginToPeer): Buffer {
  return encodeFrame(serialize(message))
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
        if (isMessage<PeerToOrigin>(message, PEER_TO_ORIGIN_TYPES)) events.message(message)
        else events.damage('frame that is not a peer message; dropped')
      },
      text: (bytes) => events.text('stdout', bytes),
      damage: (description) => {
        events.damage(description)
        onStreamDamage?.()
      },
    },
    multiplexed,
  )
}
