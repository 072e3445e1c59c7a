// Origin side: the typed errors of the public API. Each class has a stable `code`, and carries
// the context a user needs to act (peer name, pid, command line, state, exit status, output tail).
import { inspect } from 'node:util'
import type { DownReason, PeerState } from './origin/types.js'

/** What every error about a peer can tell: which peer, and how it was started. */
interface PeerErrorContext {
  /** The peer's name. */
  peer?: string | undefined
  /** The peer's OS process id, when it was spawned. */
  pid?: number | undefined
  /** The command line that started it, shell-quoted. */
  command?: string | undefined
  /** The peer's state when the error happened. */
  state?: PeerState | undefined
  cause?: unknown
  /** More lines for the message, under the peer and command (e.g. what was queued). */
  detail?: string[]
}

export type { PeerErrorContext }

/** Base class of the engine's errors (not of `RemoteError`, which mirrors the peer's own error). */
export abstract class PeerError extends Error {
  abstract readonly code: string
  /** The peer's name; absent where no peer is concerned (an invalid option). */
  declare readonly peer?: string
  /** The peer's OS process id, once it was spawned. */
  declare readonly pid?: number
  /** The command line that started it, shell-quoted. */
  declare readonly command?: string
  /** Its state when the error happened. */
  declare readonly state?: PeerState

  constructor(message: string, context: PeerErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause })
    // Only what applies: a report of this error shows no `peer: undefined`.
    const self = this as { -readonly [K in 'peer' | 'pid' | 'command' | 'state']?: PeerErrorContext[K] }
    if (context.peer !== undefined) self.peer = context.peer
    if (context.pid !== undefined) self.pid = context.pid
    if (context.command !== undefined) quiet(this, 'command', context.command)
    if (context.state !== undefined) self.state = context.state
  }

  override get name(): string {
    return this.constructor.name
  }
}

/** What the errors for an invalid option share: which option, the value refused, what was expected. */
export abstract class OptionError extends PeerError {
  /** The option's name, e.g. `'connection'`. */
  readonly option: string
  /** The value that was refused. */
  readonly value: unknown
  protected constructor(subject: string, option: string, value: unknown, expected: string) {
    super(`invalid ${subject} option \`${option}\`: ${describeValue(value)}; expected ${expected}`)
    this.option = option
    this.value = value
  }
}

/** An invalid option of `startPeer`, found before anything was spawned (OTP's `verify_args`). */
export class PeerOptionsError extends OptionError {
  readonly code = 'ERR_PEER_OPTIONS'
  constructor(option: string, value: unknown, expected: string) {
    super('peer', option, value, expected)
  }
}

/** The peer process could not be started, or died before it finished booting. */
export class PeerBootError extends PeerError {
  readonly code = 'ERR_PEER_BOOT'
  /** Exit code of the dead peer, or `null` when it was ended by a signal or never ran. */
  readonly exitCode: number | null
  /** Signal that ended the peer, or `null`. */
  readonly signal: NodeJS.Signals | null
  /** The last lines the peer printed (stdout and stderr in arrival order). */
  declare readonly output: string
  constructor(
    message: string,
    context: PeerErrorContext & { exitCode?: number | null; signal?: NodeJS.Signals | null; output?: string },
  ) {
    super(withContext(message, context), context)
    this.exitCode = context.exitCode ?? null
    this.signal = context.signal ?? null
    quiet(this, 'output', context.output ?? '')
  }
}

/** Something did not happen in time: a boot, a call, a `receive` or a `waitForOutput`. */
export class PeerTimeoutError extends PeerError {
  readonly code = 'ERR_PEER_TIMEOUT'
  /** What was being waited for, e.g. `'boot'`, `'call node:os.hostname'`, `'receive'`. */
  readonly operation: string
  /** The timeout that expired, in milliseconds. */
  readonly timeout: number
  /** The last lines the peer printed. */
  declare readonly output: string
  constructor(operation: string, timeout: number, context: PeerErrorContext & { output?: string } = {}) {
    super(withContext(`${operation} timed out after ${timeout} ms`, context), context)
    this.operation = operation
    this.timeout = timeout
    quiet(this, 'output', context.output ?? '')
  }
}

/** The peer is down (or went down) while something needed it. */
export class PeerDownError extends PeerError {
  readonly code = 'ERR_PEER_DOWN'
  /** Why the peer is down. */
  readonly reason: DownReason
  /** The last lines the peer printed. */
  declare readonly output: string
  constructor(message: string, reason: DownReason, context: PeerErrorContext & { output?: string } = {}) {
    super(withContext(`${message}: ${describeDown(reason)}`, context), context)
    this.reason = reason
    quiet(this, 'output', context.output ?? '')
  }
}

/** A value could not cross the control connection (a function, a symbol, …); nothing was sent. */
export class PeerCloneError extends PeerError {
  readonly code = 'ERR_PEER_CLONE'
}

/**
 * The control connection carried something that is not a valid message: a frame that failed its
 * CRC, an unknown message type, a connection that did not authenticate. Never delivered; reported
 * through the peer's `'diagnostic'` event and `diagnostics` list.
 */
export class PeerProtocolError extends PeerError {
  readonly code = 'ERR_PEER_PROTOCOL'
}

/**
 * An error thrown inside the peer, rebuilt at the origin. `name`, `message`, `stack` (the remote
 * frames), `code`, `cause` and own properties are the remote error's; `code` is
 * `'ERR_PEER_REMOTE'` when the remote error had none.
 */
export class RemoteError extends Error {
  /** The code of errors that had none of their own. */
  static readonly CODE = 'ERR_PEER_REMOTE'
  code: string = RemoteError.CODE
  /** Always true: tells a rebuilt error from a local one in a generic handler. */
  readonly remote = true
}

/** Short description of a down reason for messages: `exited with code 1`, `killed by SIGKILL`. */
export function describeDown(reason: DownReason): string {
  const status =
    reason.signal !== null
      ? `killed by ${reason.signal}`
      : reason.exitCode !== null
        ? `exited with code ${reason.exitCode}`
        : 'never started'
  switch (reason.cause) {
    case 'stopped':
      return `stopped (${status})`
    case 'boot-failed':
      return `failed to boot (${status})`
    case 'unresponsive':
      return `stopped answering its heartbeat (${status})`
    default:
      return status
  }
}

function withContext(message: string, context: PeerErrorContext & { output?: string }): string {
  const lines = [message]
  if (context.peer !== undefined) lines.push(`  peer:    ${context.peer}${context.pid ? ` (pid ${context.pid})` : ''}`)
  if (context.command !== undefined) lines.push(`  command: ${context.command}`)
  for (const line of context.detail ?? []) lines.push(`  ${line}`)
  if (context.output) {
    lines.push('  output (last lines):')
    for (const line of context.output.split('\n')) lines.push(`    ${line}`)
  }
  return lines.join('\n')
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  return inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY })
}

/**
 * Set a property that is readable but not enumerable: the message already shows it, so a test
 * reporter that prints an error's enumerable properties (Vitest's "Serialized Error") does not
 * print the command line and the output tail a second time.
 */
function quiet(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true })
}
