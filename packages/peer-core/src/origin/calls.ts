// Origin side: calls waiting for their answer (call, evaluate), their timeouts, and how answers
// from the peer become values or `RemoteError`s.
import { inspect } from 'node:util'
import { CALL_TIMEOUT_MS } from '../constants.js'
import { RemoteError } from '../errors.js'
import type { PeerToOrigin } from '../protocol/messages.js'
import { decodeValue, type EncodedError } from '../protocol/values.js'

// Captured at load: tests in the origin may install fake timers (STYLE: birpc, Vitest workers).
const { setTimeout, clearTimeout } = globalThis

interface PendingCall {
  resolve(value: unknown): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout>
  what: string
}

/** The calls of one peer that wait for an answer, by id. */
export class PendingCalls {
  private last = 0
  private readonly calls = new Map<number, PendingCall>()

  /** A fresh call id. */
  nextId(): number {
    this.last += 1
    return this.last
  }

  /** Wait for the answer to call `id`; after `timeout` ms it rejects with `onTimeout()` and is forgotten. */
  wait(id: number, what: string, timeout: number, onTimeout: () => Error): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id)
        reject(onTimeout())
      }, timeout)
      this.calls.set(id, { resolve, reject, timer, what })
    })
  }

  /** An answer arrived: settle its call. The late answer of a call that timed out is dropped. */
  settle(answer: PeerToOrigin & { t: 'ok' | 'err' }): void {
    const call = this.calls.get(answer.id)
    if (call === undefined) return
    this.calls.delete(answer.id)
    clearTimeout(call.timer)
    const value = decodeRemote(answer.v, answer.x)
    if (answer.t === 'ok') call.resolve(value)
    else call.reject(value instanceof Error ? value : nonErrorThrown(value, call.what))
  }

  /** The peer is gone: every pending call rejects with `error(what)`. */
  failAll(error: (what: string) => Error): void {
    for (const [id, call] of this.calls) {
      this.calls.delete(id)
      clearTimeout(call.timer)
      call.reject(error(call.what))
    }
  }
}

/** A value from the peer, with its encoded errors rebuilt when the message was flagged. */
export function decodeRemote(value: unknown, flagged: 1 | undefined): unknown {
  return flagged ? decodeValue(value, rebuildRemoteError) : value
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
function rebuildRemoteError(encoded: EncodedError): Error {
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
