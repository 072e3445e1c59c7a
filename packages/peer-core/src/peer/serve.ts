// Peer side: serving the origin's messages: call, cast, eval, send, stop.
import type { OriginToPeer, PeerToOrigin } from '../protocol/messages.js'
import { decodeValue, type EncodedError, encodeValue } from '../protocol/values.js'
import { findExport, loadModule } from './modules.js'

export interface ServeContext {
  /** Send a reply or message to the origin (throws when the value cannot be serialised). */
  send(message: PeerToOrigin): void
  /** Messages for a registered name. */
  deliver(to: string, value: unknown): void
  /** Stop the process, running the shutdown hooks first when `graceful`. */
  stop(graceful: boolean): void
}

/** Handle one message from the origin. */
export function serve(message: OriginToPeer, context: ServeContext): void {
  switch (message.t) {
    case 'call':
      return void reply(context, message.id, () => invoke(message.m, message.f, decodeArgs(message)))
    case 'eval':
      return void reply(context, message.id, () => evaluate(message.src, decodeArgs(message)))
    case 'cast':
      invoke(message.m, message.f, decodeArgs(message)).catch((error: unknown) => {
        console.error(`vitest-peer: cast ${message.m}#${message.f} failed:`, error)
      })
      return
    case 'send':
      return context.deliver(message.to, message.x ? decodeValue(message.v, rebuildLocalError) : message.v)
    case 'stop':
      return context.stop(message.graceful)
  }
}

async function invoke(specifier: string, name: string, args: unknown[]): Promise<unknown> {
  const module = await loadModule(specifier)
  const [fn, self] = findExport(module, specifier, name)
  return fn.apply(self, args)
}

async function evaluate(source: string, args: unknown[]): Promise<unknown> {
  // Indirect eval: global scope, like a function shipped by Playwright's `evaluate`.
  const fn = (0, eval)(`(${source})\n//# sourceURL=vitest-peer:evaluate`) as (...a: unknown[]) => unknown
  if (typeof fn !== 'function') throw new TypeError('evaluate() source is not a function expression')
  return fn(...args)
}

function decodeArgs(message: { a: unknown[]; x?: 1 }): unknown[] {
  return message.x ? (decodeValue(message.a, rebuildLocalError) as unknown[]) : message.a
}

async function reply(context: ServeContext, id: number, run: () => Promise<unknown>): Promise<void> {
  let outcome: PeerToOrigin
  try {
    outcome = answer('ok', id, await run())
  } catch (error) {
    outcome = answer('err', id, error)
  }
  try {
    context.send(outcome)
  } catch (error) {
    // The result (or the thrown value) cannot be serialised: say so instead.
    const failure = new Error(
      `the ${outcome.t === 'ok' ? 'result' : 'thrown value'} cannot be sent to the origin: ${(error as Error).message}`,
    ) as Error & { code: string }
    failure.code = 'ERR_PEER_CLONE'
    context.send(answer('err', id, failure))
  }
}

function answer(t: 'ok' | 'err', id: number, value: unknown): PeerToOrigin {
  const encoded = encodeValue(value)
  return encoded.flagged ? { t, id, v: encoded.value, x: 1 } : { t, id, v: value }
}

/** Peer side of error decoding: errors from the origin become instances of the builtin class of their name. */
export function rebuildLocalError(encoded: EncodedError): Error {
  const Builtin = (globalThis as Record<string, unknown>)[encoded.name]
  const error =
    typeof Builtin === 'function' && (Builtin === Error || Builtin.prototype instanceof Error)
      ? new (Builtin as ErrorConstructor)(encoded.message)
      : Object.defineProperty(new Error(encoded.message), 'name', {
          value: encoded.name,
          writable: true,
          configurable: true,
        })
  if (encoded.stack !== undefined) error.stack = encoded.stack
  return error
}
