// Origin side: one peer's control channel: its connection attached to the spawned process, with
// the codec applied at this one boundary (protocol/codec.ts): every message sent is encoded, every
// message received is decoded, and one whose value cannot be decoded is refused here.
import type { ChildProcess } from 'node:child_process'
import { decodeMessage, encodeMessage } from '../protocol/codec.js'
import type { PeerToOrigin } from '../protocol/messages.js'
import type { OriginChannel, OriginChannelEvents, OriginConnection } from './connection/types.js'
import { rebuildRemoteError } from './requests.js'

/** What the channel reports to the peer's control. */
export interface ChannelHandlers extends Omit<OriginChannelEvents, 'message'> {
  /** The channel is up: at once for 'ipc' and 'stdio', once the peer connected back for sockets. */
  established(channel: OriginChannel): void
  /** The connection could not be set up (`error`), while `what` was being done. */
  failed(error: unknown, what: 'attach' | 'connect'): void
  /** A decoded message from the peer. */
  message(message: PeerToOrigin): void
  /** A message whose value could not be decoded, and why. */
  undecodable(message: PeerToOrigin, description: string): void
}

/** Attach `connection` to `child`; everything that happens next is reported to `handlers`. */
export function openChannel(connection: OriginConnection, child: ChildProcess, handlers: ChannelHandlers): void {
  let attached: OriginChannel | Promise<OriginChannel>
  try {
    attached = connection.attach(child, {
      message: (raw) => {
        let message: PeerToOrigin
        try {
          message = decodeMessage(raw, rebuildRemoteError)
        } catch (error) {
          return handlers.undecodable(
            raw,
            `'${raw.t}' message whose value cannot be decoded (${(error as Error).message})`,
          )
        }
        handlers.message(message)
      },
      text: handlers.text,
      damage: handlers.damage,
      closed: handlers.closed,
    })
  } catch (error) {
    return handlers.failed(error, 'attach')
  }
  const established = (raw: OriginChannel) =>
    handlers.established({ send: (message) => raw.send(encodeMessage(message)), close: () => raw.close() })
  if (!(attached instanceof Promise)) return established(attached)
  attached.then(established, (error: unknown) => handlers.failed(error, 'connect'))
}
