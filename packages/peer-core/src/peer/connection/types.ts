// Peer side: the one interface of the peer's end of every control connection.
import type { OriginToPeer, PeerToOrigin } from '../../protocol/messages.js'

export interface PeerChannelEvents {
  message(message: OriginToPeer): void
  /** The connection is gone or unusable: the peer halts (the link). */
  lost(reason: string): void
}

export interface PeerChannel {
  /** Send one message; throws synchronously, sending nothing, when it cannot be serialised. */
  send(message: PeerToOrigin): void
  /** Resolves when everything sent so far has left this process. */
  flush(): Promise<void>
  /** Run `callback` once messages sent so far are on their way (sockets: after the handshake). */
  whenOpen(callback: () => void): void
}

/** Writes that bypass the console relay (the relay itself, and frames on a multiplexed stdout). */
export interface RawStreams {
  stdout(chunk: Uint8Array, callback?: () => void): void
}
