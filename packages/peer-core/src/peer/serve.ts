// Peer side: serving the origin's messages (call, cast, eval, send, stop, init), in the order they
// arrive. A request to a loaded module starts in the tick its message arrives. Requests to a
// module that is still loading wait for it, in the order they were sent, while later requests to
// other modules, `eval` and `send` go ahead: a module whose top-level code awaits something from
// the origin (a `send`) must not deadlock the peer.
import type { OriginToPeer, PeerToOrigin } from '../protocol/messages.js'
import { findExport, type ModuleNamespace, type ModuleRequestKind, Modules } from './modules.js'

export interface ServeContext {
  /** Send a reply or message to the origin (throws when the value cannot be encoded or serialised). */
  send(message: PeerToOrigin): void
  /** Messages for a registered name. */
  deliver(to: string, value: unknown): void
  /** Stop the process, running the shutdown hooks first when `graceful`. */
  stop(graceful: boolean): void
}

interface Waiting {
  start(module: ModuleNamespace): void
  fail(error: unknown): void
}

export class Server {
  private readonly modules = new Modules()
  /** Requests to modules still loading, by specifier, in the order they arrived. */
  private readonly waiting = new Map<string, Waiting[]>()

  constructor(private readonly context: ServeContext) {}

  /**
   * Requests that arrived while the loader warms up, run in order once it is done: the warm-up
   * reads files in the background, and the user's code must not run beside it (code that uses
   * up the process's file descriptors would see one taken, then freed).
   */
  private backlog: OriginToPeer[] | undefined

  /** Start Node's ESM loader ahead of the first request that needs it (`Modules.warm`). */
  warm(): void {
    const backlog: OriginToPeer[] = []
    this.backlog = backlog
    void this.modules.warm().then(() => {
      this.backlog = undefined
      for (const message of backlog) this.serve(message)
    })
  }

  /** Handle one (decoded) message from the origin. */
  serve(message: OriginToPeer): void {
    // Stopping and the heartbeat do not wait for the warm-up; nor does the resolver, sent first.
    if (this.backlog !== undefined && message.t !== 'stop' && message.t !== 'tick' && message.t !== 'init') {
      this.backlog.push(message)
      return
    }
    switch (message.t) {
      case 'call': {
        const { id, m, f, a } = message
        // A loaded module that nothing waits for: run now, with nothing allocated for the wait.
        const loaded = this.waiting.has(m) ? undefined : this.modules.get(m)
        if (loaded !== undefined) return this.answerCall(id, loaded, m, f, a)
        return this.withModule(m, 'call', {
          start: (module) => this.answerCall(id, module, m, f, a),
          fail: (error) => this.send(id, 'err', error),
        })
      }
      case 'cast': {
        const { m, f, a } = message
        const failed = (error: unknown) => console.error(`vitest-peer: cast ${m}#${f} failed:`, error)
        return this.withModule(m, 'cast', {
          start: (module) => {
            try {
              const result = run(module, m, f, a)
              if (isThenable(result)) result.then(undefined, failed)
            } catch (error) {
              failed(error)
            }
          },
          fail: failed,
        })
      }
      case 'eval':
        return this.answer(message.id, () => evaluate(message.src, message.a, (s) => this.modules.load(s, 'import')))
      case 'send':
        return this.context.deliver(message.to, message.v)
      case 'stop':
        return this.context.stop(message.graceful)
      case 'init':
        return this.modules.setResolver(message.resolver.m, message.resolver.d)
      case 'tick':
        return this.context.send({ t: 'tock' })
    }
  }

  /** Start `request` with the module now if it is loaded and nothing waits for it; else after the requests before it, once loaded. */
  private withModule(specifier: string, kind: ModuleRequestKind, request: Waiting): void {
    const queue = this.waiting.get(specifier)
    if (queue !== undefined) {
      queue.push(request)
      return
    }
    const module = this.modules.get(specifier)
    if (module !== undefined) return request.start(module)
    const started = [request]
    this.waiting.set(specifier, started)
    this.modules.load(specifier, kind).then(
      (loaded) => {
        this.waiting.delete(specifier)
        for (const waiting of started) waiting.start(loaded)
      },
      (error: unknown) => {
        this.waiting.delete(specifier)
        for (const waiting of started) waiting.fail(error)
      },
    )
  }

  /** Run export `name` of `module` now, and answer with what it returns or throws (see `answer`). */
  private answerCall(id: number, module: ModuleNamespace, specifier: string, name: string, args: unknown[]): void {
    let result: unknown
    try {
      result = run(module, specifier, name, args)
    } catch (error) {
      return this.send(id, 'err', error)
    }
    this.answerWith(id, result)
  }

  /** Run `work` now; answer at once when it returns a plain value, or when its promise settles. */
  private answer(id: number, work: () => unknown): void {
    let result: unknown
    try {
      result = work()
    } catch (error) {
      return this.send(id, 'err', error)
    }
    this.answerWith(id, result)
  }

  private answerWith(id: number, result: unknown): void {
    if (!isThenable(result)) return this.send(id, 'ok', result)
    result.then(
      (value) => this.send(id, 'ok', value),
      (error: unknown) => this.send(id, 'err', error),
    )
  }

  /** Send an answer; one that cannot be sent becomes an error answer that says why. */
  private send(id: number, t: 'ok' | 'err', value: unknown): void {
    try {
      this.context.send({ t, id, v: value })
    } catch (error) {
      const failure = new Error(
        `the ${t === 'ok' ? 'result' : 'thrown value'} cannot be sent to the origin: ${(error as Error)?.message ?? String(error)}`,
      ) as Error & { code: string }
      failure.code = 'ERR_PEER_CLONE'
      this.context.send({ t: 'err', id, v: failure })
    }
  }
}

function run(module: ModuleNamespace, specifier: string, name: string, args: unknown[]): unknown {
  const [fn, self] = findExport(module, specifier, name)
  return fn.apply(self, args)
}

/**
 * Compile a shipped function in the global scope (like Playwright's `evaluate`). A function
 * written in a Vitest test file arrives as Vite transformed it: its `import()` calls became
 * `__vite_ssr_dynamic_import__()`, which is provided here and loads through the peer's modules.
 */
function evaluate(source: string, args: unknown[], load: (specifier: string) => Promise<unknown>): unknown {
  const wrapper = `(function (__vite_ssr_dynamic_import__) { return (${source}) })\n//# sourceURL=vitest-peer:evaluate`
  const fn = ((0, eval)(wrapper) as (importer: (specifier: unknown) => Promise<unknown>) => unknown)((specifier) =>
    load(String(specifier)),
  )
  if (typeof fn !== 'function') throw new TypeError('evaluate() source is not a function expression')
  return fn(...args)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
