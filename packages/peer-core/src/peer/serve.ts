// Peer side: serving the origin's messages: call, cast, eval, send, stop.
import type { OriginToPeer, PeerToOrigin } from '../protocol/messages.js'
import { decodeValue, type EncodedError, encodeValue } from '../protocol/values.js'
import { findExport, loadedModule, loadModule } from './modules.js'

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
    case 'call': {
      // Fast path: a loaded module whose function returns a plain value answers in this tick.
      const module = loadedModule(message.m)
      if (module !== undefined) {
        let result: unknown
        try {
          const [fn, self] = findExport(module, message.m, message.f)
          result = fn.apply(self, decodeArgs(message))
        } catch (error) {
          return send(context, settled('err', message.id, error), message.id)
        }
        if (!isThenable(result)) return send(context, settled('ok', message.id, result), message.id)
        return void reply(context, message.id, () => result as Promise<unknown>)
      }
      return void reply(context, message.id, () => invoke(message.m, message.f, decodeArgs(message)))
    }
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

/**
 * Compile a shipped function in the global scope (like Playwright's `evaluate`). A function
 * written in a Vitest test file arrives as Vite transformed it: its `import()` calls became
 * `__vite_ssr_dynamic_import__()`, which is provided here.
 */
async function evaluate(source: string, args: unknown[]): Promise<unknown> {
  const wrapper = `(function (__vite_ssr_dynamic_import__) { return (${source}) })\n//# sourceURL=vitest-peer:evaluate`
  const fn = ((0, eval)(wrapper) as (importer: (specifier: string) => Promise<unknown>) => unknown)((specifier) =>
    loadModule(String(specifier)),
  ) as (...a: unknown[]) => unknown
  if (typeof fn !== 'function') throw new TypeError('evaluate() source is not a function expression')
  return fn(...args)
}

function decodeArgs(message: { a: unknown[]; x?: 1 }): unknown[] {
  return message.x ? (decodeValue(message.a, rebuildLocalError) as unknown[]) : message.a
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

async function reply(context: ServeContext, id: number, run: () => Promise<unknown>): Promise<void> {
  let outcome: PeerToOrigin
  try {
    outcome = settled('ok', id, await run())
  } catch (error) {
    outcome = settled('err', id, error)
  }
  send(context, outcome, id)
}

/** Send an answer; one that cannot be serialised becomes an error answer that says so. */
function send(context: ServeContext, outcome: PeerToOrigin, id: number): void {
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

/**
 * The answer for a result or a thrown value. Encoding walks the value, and a getter or a revoked
 * Proxy inside can throw: that becomes the error answer, never a failure of the connection.
 */
function settled(t: 'ok' | 'err', id: number, value: unknown): PeerToOrigin {
  try {
    return answer(t, id, value)
  } catch (error) {
    try {
      return answer('err', id, error)
    } catch {
      return { t: 'err', id, v: String(error) }
    }
  }
}

function answer(t: 'ok' | 'err', id: number, value: unknown): PeerToOrigin {
  const encoded = encodeValue(value)
  return encoded.flagged ? { t, id, v: encoded.value, x: 1 } : { t, id, v: value }
}

/** Peer side of error decoding: errors from the origin become instances of the builtin class of their name. */
function rebuildLocalError(encoded: EncodedError): Error {
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
