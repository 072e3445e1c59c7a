// Origin side: the public types of `@vitest-peer/core`.
import type { PeerProtocolError } from '../errors.js'
import type { Peer } from './peer.js'

/** The control connection (OTP's `connection`). */
export type Connection = 'ipc' | 'stdio' | { tcp: number | { host: string; port: number } } | { uds: string | true }

/** How `stop()` ends the peer (OTP's `shutdown`; `Infinity` is its `infinity`: graceful, no deadline). */
export type ShutdownMode = 'close' | 'halt' | { halt: number } | number

/** What an unexpected loss of the peer does at the origin (OTP's `peer_down`). */
export type PeerDownMode = 'stop' | 'continue' | 'crash'

/** Options of `startPeer`. */
export interface PeerOptions {
  /** Peer name, `[A-Za-z0-9_-]`; default `randomName()`. */
  name?: string
  /** Control connection; default `'ipc'`. */
  connection?: Connection
  /** Program that starts the peer; the tuple form prepends a wrapper. Default `process.execPath`. */
  exec?: string | [command: string, args: string[]]
  /** Extra Node.js command-line flags, passed as is. */
  args?: string[]
  /** Last word on the final argument vector. */
  postProcessArgs?: (argv: string[]) => string[]
  /** Added to the inherited environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>
  /** Working directory of the peer; default `process.cwd()`. */
  cwd?: string
  /** Milliseconds to wait until the peer runs, or `false` to return at once. Default 15000. */
  waitBoot?: number | false
  /** What an unexpected loss of the peer does; default `'stop'`. */
  peerDown?: PeerDownMode
  /** How `stop()` ends the peer; default `{ halt: 5000 }`. */
  shutdown?: ShutdownMode
  /** Start the peer in its own process group and session; default `false`. */
  detached?: boolean
  /** Aborting it stops the peer, and a pending start rejects. */
  signal?: AbortSignal
  /**
   * Milliseconds of silence after which a running peer is taken for hung, killed and down with
   * cause `'unresponsive'` (OTP's net tick); the origin ticks every quarter of it. A paused peer
   * is exempt. Default `false`: no heartbeat.
   */
  heartbeat?: number | false
  /**
   * A module the peer imports before its first module request; its `resolve` export maps every
   * specifier of `call`, `cast`, `module()` and `import()` inside `evaluate` before the peer
   * loads it. See {@link ModuleResolver}.
   */
  moduleResolver?: ModuleResolverOption
}

/** The `moduleResolver` option: where the resolver module is, and the data its `resolve` gets. */
export interface ModuleResolverOption {
  /** A specifier the peer can import (an absolute file URL is safest). */
  module: string | URL
  /** Any structured-clonable value, sent to the peer once and passed to every `resolve` call. */
  data?: unknown
}

/**
 * The `resolve` export of a `moduleResolver` module, run inside the peer. It returns the specifier
 * to load instead (handled as one given to `call`: builtins, URLs, absolute paths, paths relative
 * to the peer's cwd, packages); a throw (or rejection) fails that request. Each distinct specifier
 * is resolved once per peer (once for `call`/`cast`, once for `import()`).
 */
export type ModuleResolver = (
  specifier: string,
  context: { kind: 'call' | 'cast' | 'import'; data: unknown },
) => string | Promise<string>

/**
 * Why a peer is down.
 * - `stopped`: `stop()` or the abort `signal` ended it.
 * - `exited`: it exited by itself with code 0.
 * - `crashed`: it exited by itself with another code, or was killed by a signal (`kill()` included).
 * - `boot-failed`: it never finished booting (died, could not be spawned, or timed out).
 * - `unresponsive`: with the `heartbeat` option, it stopped answering (its JavaScript stuck, the
 *   machine frozen), and was killed with SIGKILL (OTP's `net_tick_timeout`).
 */
export interface DownReason {
  cause: 'stopped' | 'exited' | 'crashed' | 'boot-failed' | 'unresponsive'
  exitCode: number | null
  signal: NodeJS.Signals | null
}

/** `booting`, `running`, or down with its reason (OTP's `get_state`). */
export type PeerState = 'booting' | 'running' | { down: DownReason }

/** Per-call options. */
export interface CallOptions {
  /** Milliseconds before the call rejects with `PeerTimeoutError`; default 5000. */
  timeout?: number
}

/** Options of `receive`, `waitForOutput` and `waitForMatch`. */
export interface WaitOptions {
  /** Milliseconds before the wait rejects with `PeerTimeoutError`; default 5000. */
  timeout?: number
}

/** A module specifier: `'node:os'`, a package name, an absolute or relative path, or a URL. */
export type ModuleSpecifier = string | URL

/** The typed proxy of `peer.module<M>()`: every function export becomes an async remote call. */
export type RemoteModule<M> = {
  readonly [K in keyof M as M[K] extends (...args: never[]) => unknown ? K : never]: M[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never
}

/** Which stream a piece of output came from. */
export type OutputStream = 'stdout' | 'stderr'

/** Events of a `Peer<M>`; `M` is the type of the messages the peer sends (`unknown` unless given). */
export interface PeerEvents<M = unknown> {
  /** A message the peer sent with `origin.send`. */
  message: [message: M]
  /** Console text from the peer, as it arrives. */
  output: [text: string, stream: OutputStream]
  /** The peer went down; `exited` resolves at the same time. */
  down: [reason: DownReason]
  /** Something on the control connection was refused and not delivered. */
  diagnostic: [error: PeerProtocolError]
  /** With `peerDown: 'crash'` only: the unexpected loss, as a `PeerDownError`. */
  error: [error: Error]
  /** `restart()` spawned this peer's successor (still booting): the new `Peer`, before `restart()` resolves. */
  restart: [peer: Peer<M>]
}
