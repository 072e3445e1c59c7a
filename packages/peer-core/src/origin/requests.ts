// Origin side: requests to the peer. `call` and `evaluate` wait for an answer (pending by id, each
// with its timeout); `cast` and `send` do not. Where a request goes depends on the peer's phase
// (control.ts): while booting it waits for the boot, while running it is sent, once the peer is
// going down it fails with the down reason. Answers arrive decoded (protocol/codec.ts).
// The deadlines of all pending calls share one timer, armed for the earliest: an answer only
// drops its call, and the timer, when it fires, fails the calls that are due and re-arms.
import { inspect } from 'node:util'
import { CALL_TIMEOUT_MS } from '../constants.js'
import {
  PeerCloneError,
  PeerDownError,
  type PeerErrorContext,
  PeerProtocolError,
  PeerTimeoutError,
  RemoteError,
} from '../errors.js'
import type { OriginToPeer, PeerToOrigin } from '../protocol/messages.js'
import type { EncodedError } from '../protocol/values.js'
import { atSite, type CallSite } from './call-site.js'
import type { OriginChannel } from './connection/types.js'
import type { DownReason } from './types.js'

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setTimeout, clearTimeout } = globalThis
const now = performance.now.bind(performance)

/** Where a request goes now, as the peer's phase decides. */
export type Route =
  /** Send it on this channel. */
  | { channel: OriginChannel }
  /** Booting: try again once this settles (a rejection is the request's too). */
  | { wait: Promise<unknown> }
  /** The peer is down, or going down (the promise resolves once it is): the request fails. */
  | { down: DownReason | Promise<DownReason> }

/** What requests need from the peer that owns them. */
export interface RequestHost {
  readonly name: string
  route(): Route
  /** The context of an error about this peer, built when an error is. */
  context(): PeerErrorContext & { output: string }
}

/** The longest delay setTimeout takes (a longer one fires at once). */
const MAX_DELAY_MS = 2 ** 31 - 1

interface PendingCall {
  resolve(value: unknown): void
  reject(error: Error): void
  /** When the call times out, on the performance.now() clock. */
  deadline: number
  timeout: number
  what: string
  /** The user's line that made the call: every rejection points there. */
  site: CallSite
}

type Answered = OriginToPeer & { t: 'call' | 'eval' }
type Unanswered = OriginToPeer & { t: 'cast' | 'send' }

/** The requests of one peer. */
export class Requests {
  private lastId = 0
  private readonly pending = new Map<number, PendingCall>()
  /** The one deadline timer: armed for `armedFor`, referenced while calls are pending. */
  private timer: ReturnType<typeof setTimeout> | undefined
  private armedFor = Number.POSITIVE_INFINITY
  private timerRefed = false

  constructor(private readonly host: RequestHost) {}

  /**
   * Send `message` and wait for its answer; `what` names it in errors (`call node:os#hostname`),
   * `site` is the user's line that made it.
   */
  request(message: Answered, what: string, timeout: number, site: CallSite): Promise<unknown> {
    const route = this.host.route()
    if ('wait' in route) {
      // Booting: once it ran, or failed (then the request fails as to a peer that is down).
      const again = () => this.request(message, what, timeout, site)
      return route.wait.then(again, again)
    }
    if ('down' in route) return this.downError(what, route.down, site)
    if (!Array.isArray(message.a)) return Promise.reject(atSite(new TypeError(`${what}: args must be an array`), site))
    this.lastId += 1
    const id = this.lastId
    message.id = id
    try {
      route.channel.send(message)
    } catch (error) {
      return Promise.reject(atSite(this.cloneError(what, error), site))
    }
    const deadline = now() + timeout
    const answer = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, deadline, timeout, what, site })
    })
    if (deadline < this.armedFor) this.arm(deadline)
    else if (!this.timerRefed) {
      this.timer?.ref()
      this.timerRefed = true
    }
    return answer
  }

  /** Arm the timer for `deadline`, the earliest of the pending calls. */
  private arm(deadline: number): void {
    clearTimeout(this.timer)
    this.armedFor = deadline
    const delay = Math.min(MAX_DELAY_MS, Math.max(1, Math.ceil(deadline - now())))
    this.timer = setTimeout(() => this.expire(), delay)
    this.timerRefed = true
  }

  /** The timer fired: fail the calls that are due, re-arm for the next deadline. */
  private expire(): void {
    this.timer = undefined
    this.armedFor = Number.POSITIVE_INFINITY
    this.timerRefed = false
    const time = now()
    let next = Number.POSITIVE_INFINITY
    for (const [id, call] of this.pending) {
      if (call.deadline <= time) {
        this.pending.delete(id)
        call.reject(atSite(new PeerTimeoutError(call.what, call.timeout, this.host.context()), call.site))
      } else if (call.deadline < next) next = call.deadline
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next)
  }

  /**
   * Send a message that has no answer; a no-op once the peer is going down. A value that cannot be
   * sent throws a `PeerCloneError` when `strict`, else it becomes a process warning.
   */
  post(message: Unanswered, what: string, strict: boolean): void {
    const route = this.host.route()
    if ('down' in route) return
    if ('wait' in route) {
      route.wait.then(
        () => this.post(message, what, false),
        () => {},
      )
      return
    }
    try {
      route.channel.send(message)
    } catch (error) {
      const failure = this.cloneError(what, error)
      if (strict) throw failure
      process.emitWarning(failure.message, { code: 'VITEST_PEER_CAST' })
    }
  }

  /**
   * An answer arrived: settle its call. The late answer of a call that timed out is dropped; an
   * answer to a call never made returns false (something other than the runtime sent it).
   */
  settle(answer: PeerToOrigin & { t: 'ok' | 'err' }): boolean {
    const call = this.take(answer.id)
    if (call === undefined) return answer.id <= this.lastId
    if (answer.t === 'ok') call.resolve(answer.v)
    else call.reject(atSite(answer.v instanceof Error ? answer.v : nonErrorThrown(answer.v, call.what), call.site))
    return true
  }

  /** The answer to call `id` arrived damaged (`description` says how): the call rejects with a `PeerProtocolError`. */
  fail(id: number, description: string): void {
    const call = this.take(id)
    if (call === undefined) return
    call.reject(atSite(new PeerProtocolError(`${call.what}: ${description}`, this.host.context()), call.site))
  }

  /** The peer is gone: every pending call rejects with its `PeerDownError`. */
  failAll(reason: DownReason): void {
    const context = this.host.context()
    for (const id of [...this.pending.keys()]) {
      const call = this.take(id)!
      call.reject(atSite(new PeerDownError(call.what, reason, context), call.site))
    }
    clearTimeout(this.timer)
    this.timer = undefined
    this.armedFor = Number.POSITIVE_INFINITY
    this.timerRefed = false
  }

  private take(id: number): PendingCall | undefined {
    const call = this.pending.get(id)
    if (call === undefined) return undefined
    this.pending.delete(id)
    if (this.pending.size === 0 && this.timerRefed) {
      // Nothing pending: the timer stays armed but must not keep the origin alive.
      this.timer?.unref()
      this.timerRefed = false
    }
    return call
  }

  private async downError(what: string, down: DownReason | Promise<DownReason>, site: CallSite): Promise<never> {
    throw atSite(new PeerDownError(what, await down, this.host.context()), site)
  }

  private cloneError(what: string, cause: unknown): PeerCloneError {
    return new PeerCloneError(
      `${what}: a value cannot be sent to peer ${this.host.name} (${(cause as Error)?.message ?? String(cause)}); nothing was sent`,
      { ...this.host.context(), cause },
    )
  }
}

/** The timeout of a call or wait: the default when absent, `undefined` when invalid. */
export function validTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined) return CALL_TIMEOUT_MS
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? timeout : undefined
}

/** The error for an invalid `timeout` option of `what`. */
export function timeoutTypeError(what: string, timeout: unknown): TypeError {
  return new TypeError(`${what}: the timeout must be a positive number of milliseconds, not ${inspect(timeout)}`)
}

/** Every error from the peer becomes a `RemoteError` with the remote name and stack. */
export function rebuildRemoteError(encoded: EncodedError): Error {
  const error = new RemoteError(encoded.message)
  Object.defineProperty(error, 'name', { value: encoded.name, writable: true, configurable: true, enumerable: false })
  Object.defineProperty(error, 'stack', {
    value: encoded.stack ?? `${encoded.name}: ${encoded.message}`,
    writable: true,
    configurable: true,
    enumerable: false,
  })
  return error
}

/** `throw 'text'` (or any non-error) in the peer: a RemoteError that carries the value as `thrown`. */
function nonErrorThrown(value: unknown, what: string): RemoteError {
  const error = new RemoteError(`${what}: the peer threw a non-error value: ${inspect(value)}`)
  Object.defineProperty(error, 'thrown', { value, enumerable: true })
  return error
}
