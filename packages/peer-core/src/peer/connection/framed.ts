// Peer side: frames from the origin (frame.ts) of v8-serialised messages, on a byte stream that
// only the origin writes (stdin for 'stdio', the socket for TCP and Unix sockets). Anything that
// is not a sound frame holding an origin message breaks the connection: the peer halts.
import { v8 } from '../../protocol/builtins.js'
import { FrameDecoder } from '../../protocol/frame.js'
import { type OriginToPeer, originMessageProblem } from '../../protocol/messages.js'
import type { PeerChannelEvents } from './types.js'

/** A strict decoder that delivers origin messages and reports anything else as a lost connection. */
export function originMessageDecoder(events: PeerChannelEvents): FrameDecoder {
  const { deserialize } = v8()
  return new FrameDecoder(
    {
      frame(payload) {
        let message: unknown
        try {
          message = deserialize(payload)
        } catch {
          return events.lost('a frame from the origin with an undecodable payload')
        }
        const wrong = originMessageProblem(message)
        if (wrong === undefined) events.message(message as OriginToPeer)
        else events.lost(`a frame from the origin that is not a valid origin message (${wrong})`)
      },
      damage: (description) => events.lost(`damaged input from the origin: ${description}`),
    },
    false,
    undefined,
    false,
  )
}
