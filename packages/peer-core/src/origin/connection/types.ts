// Origin side: the one interface every control connection implements (ipc, stdio, tcp, uds).
import type { ChildProcess, StdioOptions } from 'node:child_process'
import type { OriginToPeer, PeerToOrigin } from '../../protocol/messages.js'

/** What a connection reports to the peer that owns it. */
export interface OriginChannelEvents {
  /** A valid message from the peer. */
  message(message: PeerToOrigin): void
  /** Console bytes that arrived outside the control channel's messages (multiplexed stdout). */
  text(stream: 'stdout' | 'stderr', bytes: Buffer): void
  /** Something was refused and not delivered (a damaged frame, a bad message, a rogue client). */
  damage(description: string): void
  /** The control connection is gone (closed by either side, or failed). */
  closed(): void
}

/** An established control connection, origin end. */
export interface OriginChannel {
  /** Send one message; throws synchronously, sending nothing, when it cannot be serialised. */
  send(message: OriginToPeer): void
  /** Close the connection; the link makes the peer halt. */
  close(): void
}

/** A control connection being set up for one peer. */
export interface OriginConnection {
  /** `stdio` for `spawn()`; index 1 and 2 must be pipes unless the connection reads them itself. */
  readonly stdio: StdioOptions
  /** Whether the connection consumes the child's stdout itself (multiplexed stdout). */
  readonly ownsStdout: boolean
  /** How the peer runtime is started: argv entries before the flags (usually the runtime file). */
  readonly entry: string[]
  /** Runtime flags that tell the peer how to reach the origin. */
  readonly flags: string[]
  /** Extra spawn options (e.g. `serialization`). */
  readonly spawnOptions?: { serialization?: 'json' | 'advanced' }
  /**
   * Called right after spawn. Returns the channel, or a promise of it for connections where the
   * peer connects back (the Peer treats the wait as part of booting).
   */
  attach(child: ChildProcess, events: OriginChannelEvents): OriginChannel | Promise<OriginChannel>
  /** Release listeners, sockets, files. Idempotent. */
  dispose(): void
}
