// Origin side: `Peer`, the public face of one peer. Its state machine lives in control.ts, its
// process in process.ts, its requests in requests.ts; this class validates arguments and delegates.
// Longer than this codebase's other files on purpose: it is the one public class, and each member
// is a documented, thin delegate; splitting it would split the API reference.
import { EventEmitter } from 'node:events'
import { types } from 'node:util'
import { CALL_TIMEOUT_MS, OUTPUT_TAIL_LINES } from '../constants.js'
import { PeerDownError, type PeerProtocolError, PeerTimeoutError } from '../errors.js'
import { atSite, type CallSite, callSite } from './call-site.js'
import type { OriginConnection } from './connection/types.js'
import { PeerControl } from './control.js'
import { describeQueue, explainClosure } from './explain.js'
import type { ResolvedOptions } from './options.js'
import { timeoutTypeError, validTimeout } from './requests.js'
import { restartPeer, type Starter } from './restart.js'
import type {
  CallOptions,
  DownReason,
  ModuleSpecifier,
  PeerEvents,
  PeerOptions,
  PeerState,
  RemoteModule,
  WaitOptions,
} from './types.js'

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setTimeout, clearTimeout } = globalThis

let construct: (options: ResolvedOptions, connection: OriginConnection, start: Starter) => Peer

let setName: (peer: Peer, name: string) => void

/** Change the name the origin shows for `peer` (rename.ts, which also tells the peer). */
export function assignName(peer: Peer, name: string): void {
  setName(peer, name)
}

/**
 * Spawn a peer (startPeer's part after the options are valid and the connection is prepared);
 * `start` is how `restart()` starts its successor.
 */
export function spawnPeer(options: ResolvedOptions, connection: OriginConnection, start: Starter): Peer {
  return construct(options, connection, start)
}

/** A running (or booting, or down) peer: a child Node.js process linked to this origin. */
export class Peer<M = unknown> extends EventEmitter<PeerEvents<M>> {
  static {
    construct = (options, connection, start) => new Peer(options, connection, start)
    setName = (peer, name) => {
      ;(peer as { name: string }).name = name
    }
  }

  /** The peer's name. */
  readonly name: string
  /** The program that was started: the `exec` option (a wrapper, if any), else `process.execPath`. */
  readonly exec: string
  /** The exact argument vector it was started with. */
  readonly argv: readonly string[]
  /** `exec` and `argv`, shell-quoted: paste it into a shell to start the same peer by hand. */
  readonly command: string
  /** The environment added to the origin's (`env` option); `undefined` removed a variable. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The peer's working directory. */
  readonly cwd: string
  /** Resolves when the peer is running; rejects with `PeerBootError` or `PeerTimeoutError`. */
  readonly booted: Promise<void>
  /** Resolves with the down reason once the process is gone and reaped. */
  readonly exited: Promise<DownReason>
  /** Refused frames, messages and connections, oldest first. */
  readonly diagnostics: PeerProtocolError[]

  readonly #control: PeerControl
  /** The options as given and how to start a peer, for `restart()`. */
  readonly #given: PeerOptions
  readonly #start: Starter

  private constructor(options: ResolvedOptions, connection: OriginConnection, start: Starter) {
    super()
    this.#given = options.given
    this.#start = start
    this.name = options.name
    this.env = Object.freeze({ ...options.env })
    this.cwd = options.cwd
    this.#control = new PeerControl(options, connection, (event, ...args) => this.#notify(event, ...args))
    const control = this.#control
    this.exec = control.exec
    this.argv = control.argv
    this.command = control.command
    this.booted = control.booted
    this.exited = control.exited
    this.diagnostics = control.diagnostics
  }

  /** The peer's OS process id (0 if it could not be spawned). */
  get pid(): number {
    return this.#control.process.pid
  }

  /** `'booting'`, `'running'`, or `{ down: reason }` (OTP's `get_state`). */
  get state(): PeerState {
    return this.#control.state
  }

  /** Captured console text, stdout and stderr in arrival order; bounded, oldest dropped first. */
  get output(): string {
    return this.#control.out.output
  }

  /** The last `lines` lines of output (for reports). */
  outputTail(lines = OUTPUT_TAIL_LINES): string {
    return this.#control.out.tail(lines)
  }

  /** Run `import(module)[fn](...args)` in the peer and return its awaited result (OTP's `peer:call`). */
  call<R = unknown>(module: ModuleSpecifier, fn: string, args: unknown[] = [], options: CallOptions = {}): Promise<R> {
    return this.#call(module, fn, args, options, callSite(this.call)) as Promise<R>
  }

  #call(module: ModuleSpecifier, fn: string, args: unknown[], options: CallOptions, site: CallSite): Promise<unknown> {
    const m = typeof module === 'string' ? module : module.href
    const what = `call ${m}#${fn}`
    const timeout = validTimeout(options.timeout)
    if (timeout === undefined) return Promise.reject(atSite(timeoutTypeError(what, options.timeout), site))
    return this.#control.requests.request({ t: 'call', id: 0, m, f: fn, a: args }, what, timeout, site)
  }

  /** Like `call`, without waiting for the result; never throws, a no-op when down (OTP's `cast`). */
  cast(module: ModuleSpecifier, fn: string, args: unknown[] = []): void {
    const m = typeof module === 'string' ? module : module.href
    this.#control.requests.post({ t: 'cast', m, f: fn, a: args }, `cast ${m}#${fn}`, false)
  }

  /** Deliver `message` to the handler registered under `to` in the peer; a no-op when down (OTP's `send`). */
  send(to: string, message: unknown): void {
    try {
      this.#control.requests.post({ t: 'send', to, v: message }, `send to '${to}'`, true)
    } catch (error) {
      throw atSite(error as Error, callSite(this.send))
    }
  }

  /** Run a self-contained function in the peer (its source is shipped) and return its awaited result. */
  evaluate<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
    const site = callSite(this.evaluate)
    if (typeof fn !== 'function') return Promise.reject(atSite(new TypeError('evaluate() takes a function'), site))
    return this.#control.requests
      .request(
        { t: 'eval', id: 0, src: fn.toString(), a: args },
        `evaluate ${fn.name || '<anonymous>'}`,
        CALL_TIMEOUT_MS,
        site,
      )
      .catch(explainClosure) as Promise<Awaited<R>>
  }

  /** A typed proxy whose function properties call the module's exports in the peer. */
  module<M>(specifier: ModuleSpecifier, options: CallOptions = {}): RemoteModule<M> {
    return new Proxy(Object.create(null), {
      get: (_, property) => {
        if (typeof property !== 'string' || property === 'then') return undefined
        const method = (...args: unknown[]) => this.#call(specifier, property, args, options, callSite(method))
        return method
      },
    }) as RemoteModule<M>
  }

  /**
   * The oldest queued message (sent with `origin.send`) that `match` accepts, or the next one to
   * arrive; the others stay queued (OTP's selective receive).
   */
  receive<T = M>(match: (message: M) => boolean = () => true, options: WaitOptions = {}): Promise<T> {
    const site = callSite(this.receive)
    const timeout = validTimeout(options.timeout)
    if (timeout === undefined) return Promise.reject(atSite(timeoutTypeError('receive', options.timeout), site))
    if (typeof match !== 'function') {
      return Promise.reject(atSite(new TypeError('receive(match) takes a predicate function'), site))
    }
    const control = this.#control
    const { mailbox } = control
    return mailbox.receive(
      match as (message: unknown) => boolean,
      (fail) => {
        const timer = setTimeout(
          () =>
            fail(new PeerTimeoutError('receive', timeout, { ...control.context(), detail: describeQueue(mailbox) })),
          timeout,
        )
        return () => clearTimeout(timer)
      },
      (error) => atSite(error, site),
    ) as Promise<T>
  }

  /**
   * Remove and return the messages queued at the origin that `match` accepts (all when absent),
   * oldest first, at once (OTP's `flush()`). Flush, act, then `receive`: the event waited for is
   * then one the action caused, not a stale one. To include what the peer sent before now, make
   * any call first: its answer comes after the messages sent before it.
   */
  flush<T = M>(match?: (message: M) => boolean): T[] {
    if (match !== undefined && typeof match !== 'function')
      throw new TypeError('flush(match) takes a predicate function')
    return this.#control.mailbox.flush(match as (message: unknown) => boolean) as T[]
  }

  /** The first line of output matching `pattern` (substring or RegExp), including lines printed before the call. */
  waitForOutput(pattern: string | RegExp, options: WaitOptions = {}): Promise<string> {
    const site = callSite(this.waitForOutput)
    if (typeof pattern !== 'string' && !types.isRegExp(pattern)) {
      return Promise.reject(atSite(new TypeError('waitForOutput(pattern) takes a string or a RegExp'), site))
    }
    return this.#waitForLine('waitForOutput', pattern, options, site)
  }

  /**
   * Like `waitForOutput` with a RegExp, resolving with the match instead of the line: groups,
   * `index`, and `input` (the line). `const [, port] = await peer.waitForMatch(/port (\d+)/)`.
   */
  waitForMatch(pattern: RegExp, options: WaitOptions = {}): Promise<RegExpExecArray> {
    const site = callSite(this.waitForMatch)
    if (!types.isRegExp(pattern)) {
      return Promise.reject(atSite(new TypeError('waitForMatch(pattern) takes a RegExp'), site))
    }
    return this.#waitForLine('waitForMatch', pattern, options, site).then((line) => firstMatch(pattern).exec(line)!)
  }

  #waitForLine(method: string, pattern: string | RegExp, options: WaitOptions, site: CallSite): Promise<string> {
    const timeout = validTimeout(options.timeout)
    if (timeout === undefined) return Promise.reject(atSite(timeoutTypeError(method, options.timeout), site))
    const regexp = typeof pattern === 'string' ? undefined : firstMatch(pattern)
    const test = (line: string) => (regexp === undefined ? line.includes(pattern as string) : regexp.test(line))
    const what = `${method}(${String(pattern)})`
    const control = this.#control
    const down = control.down
    return control.out.firstLine(test, (fail) => {
      if (down !== undefined) {
        fail(atSite(new PeerDownError(what, down, control.context()), site))
        return () => {}
      }
      const timer = setTimeout(
        () => fail(atSite(new PeerTimeoutError(what, timeout, control.context()), site)),
        timeout,
      )
      const onDown = (reason: DownReason) => fail(atSite(new PeerDownError(what, reason, control.context()), site))
      this.once('down', onDown)
      return () => {
        clearTimeout(timer)
        this.off('down', onDown)
      }
    })
  }

  /**
   * Fault injection: send `signal` to the peer, which goes down as in a crash (a paused peer is
   * resumed so that the signal acts); false when it is down.
   */
  kill(signal: NodeJS.Signals | number = 'SIGKILL'): boolean {
    if (this.#control.down !== undefined) return false
    return this.#control.process.kill(signal)
  }

  /** Whether the peer is paused: from `pause()` until `resume()`, a `kill()`, a stop or its end. */
  get paused(): boolean {
    return this.#control.process.paused
  }

  /**
   * Fault injection: freeze the peer and its descendants (SIGSTOP to its process group); resolves
   * once the peer shows as stopped. It stays `running`; requests wait (their timeouts run);
   * `stop()`, `kill()` and the link still end it. Rejects with `PeerDownError` when it is down or
   * going down.
   */
  async pause(): Promise<void> {
    const site = callSite(this.pause)
    const control = this.#control
    const ending = control.ending
    if (ending !== undefined) throw atSite(new PeerDownError('pause', await ending, control.context()), site)
    await control.process.pause()
  }

  /** Thaw a paused peer and its descendants (SIGCONT); resolves at once when it is not paused. */
  async resume(): Promise<void> {
    this.#control.process.resume()
  }

  /**
   * Stop this peer (per its `shutdown`) unless it is down, wait until its process is gone, and
   * start a new peer with the same name and options, changed by `overrides` (`env` merged key by
   * key, any other option replaced). Resolves with the new `Peer`; this one stays down. Listeners,
   * queued messages and output stay with this object, which emits 'restart' with the new peer as
   * soon as it is spawned (for whatever owns the peer, e.g. a test runner, to adopt it).
   */
  restart(overrides?: PeerOptions): Promise<Peer> {
    const site = callSite(this.restart)
    const start = (options: PeerOptions) => this.#start(options, (next) => this.#notify('restart', next))
    return restartPeer(this, this.#given, overrides, start).catch((error: Error) => {
      throw atSite(error, site)
    })
  }

  /**
   * Stop the peer per the `shutdown` option; idempotent (OTP's `stop`). Resolves once the process
   * is gone, except with `shutdown: 'close'`, which resolves once the control connection is closed
   * (the peer then halts on its own; `exited` tells when it is gone).
   */
  stop(): Promise<void> {
    return this.#control.stop()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  /**
   * Emit to user listeners from inside the state machine: a listener that throws must not leave
   * it half-way (e.g. `exited` never resolving), so its error is rethrown on its own. An `'error'`
   * with no listener is rethrown the same way, as an uncaught exception.
   */
  #notify<K extends keyof PeerEvents>(event: K, ...args: PeerEvents[K]): void {
    try {
      ;(this.emit as unknown as (event: K, ...args: PeerEvents[K]) => boolean)(event, ...args)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }
}

/** A copy of `pattern` without the g and y flags, which keep state between uses: it finds the first match every time. */
function firstMatch(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
}
