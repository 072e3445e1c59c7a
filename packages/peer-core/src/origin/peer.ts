// Origin side: one peer and its control connection, as an explicit state machine
// (booting → running → down) with one shutdown ladder: ask → wait → SIGKILL → reap → flush
// output → reject what is pending (OTP's peer control process, `peer.erl`).
import { type ChildProcess, spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { BOOT_TIMEOUT_MS, CALL_TIMEOUT_MS, HALT_TIMEOUT_MS, OUTPUT_DRAIN_MS, OUTPUT_TAIL_LINES } from '../constants.js'
import {
  PeerBootError,
  PeerCloneError,
  PeerDownError,
  type PeerErrorContext,
  PeerProtocolError,
  PeerTimeoutError,
} from '../errors.js'
import type { OriginToPeer, PeerToOrigin } from '../protocol/messages.js'
import { encodeValue } from '../protocol/values.js'
import { decodeRemote, PendingCalls, timeoutTypeError, validTimeout } from './calls.js'
import { buildCommand, formatCommand } from './command.js'
import { Mailbox } from './mailbox.js'
import type { ResolvedOptions } from './options.js'
import { OutputBuffer } from './output.js'
import type { ControlChannel, OriginTransport } from './transports/types.js'
import type {
  CallOptions,
  DownReason,
  ModuleSpecifier,
  PeerEvents,
  PeerState,
  RemoteModule,
  WaitOptions,
} from './types.js'

// Captured at load: tests in the origin may install fake timers (STYLE: birpc, Vitest workers).
const { setTimeout, clearTimeout } = globalThis

/** A running (or booting, or down) peer: a child Node.js process linked to this origin. */
export class Peer extends EventEmitter<PeerEvents> {
  /** The peer's name. */
  readonly name: string
  /** The program that was started (the wrapper, if any). */
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
  readonly diagnostics: PeerProtocolError[] = []

  private readonly options: ResolvedOptions
  private readonly transport: OriginTransport
  private readonly child: ChildProcess
  private readonly out: OutputBuffer
  private readonly mailbox = new Mailbox()
  private readonly calls = new PendingCalls()
  private channel: ControlChannel | undefined
  private current: PeerState = 'booting'
  private stopRequested = false
  private stopping: Promise<void> | undefined
  private bootError: Error | undefined
  private bootTimer: ReturnType<typeof setTimeout> | undefined
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined
  private resolveBooted!: () => void
  private rejectBooted!: (error: Error) => void
  private resolveExited!: (reason: DownReason) => void
  private readonly onAbort = () => {
    if (this.current === 'booting') {
      this.bootError ??= new PeerBootError(`start of peer ${this.name} was aborted`, {
        ...this.context(),
        cause: this.options.signal?.reason,
      })
    }
    void this.stop()
  }

  /** @internal Use `startPeer()`. */
  constructor(options: ResolvedOptions, transport: OriginTransport) {
    super()
    this.options = options
    this.transport = transport
    this.name = options.name
    this.env = Object.freeze({ ...options.env })
    this.cwd = options.cwd
    this.booted = new Promise<void>((resolve, reject) => {
      this.resolveBooted = resolve
      this.rejectBooted = reject
    })
    this.booted.catch(() => {}) // the caller of startPeer (or of `booted`) sees it
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve
    })
    this.out = new OutputBuffer((text, stream) => this.notify('output', text, stream))

    const [exec, argv] = buildCommand(options, transport)
    this.exec = exec
    this.argv = Object.freeze(argv)
    this.command = formatCommand(exec, argv)

    const env: NodeJS.ProcessEnv = { ...process.env }
    for (const [key, value] of Object.entries(options.env)) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }
    this.child = spawn(exec, argv, {
      cwd: options.cwd,
      env,
      stdio: transport.stdio,
      detached: options.detached,
      windowsHide: true,
      ...transport.spawnOptions,
    })
    this.watchProcess()
    this.armBootTimer()
    if (this.child.pid !== undefined) this.connect()
    // The signal may have fired while the transport was being prepared: act on it now.
    if (options.signal?.aborted) this.onAbort()
    else options.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  /** The peer's OS process id (0 if it could not be spawned). */
  get pid(): number {
    return this.child.pid ?? 0
  }

  /** `'booting'`, `'running'`, or `{ down: reason }` (OTP's `get_state`). */
  get state(): PeerState {
    return this.current
  }

  /** Captured console text, stdout and stderr in arrival order; bounded, oldest dropped first. */
  get output(): string {
    return this.out.output
  }

  /** The last `lines` lines of output (for reports). */
  outputTail(lines = OUTPUT_TAIL_LINES): string {
    return this.out.tail(lines)
  }

  /** Run `import(module)[fn](...args)` in the peer and return its awaited result (OTP's `peer:call`). */
  call<R = unknown>(module: ModuleSpecifier, fn: string, args: unknown[] = [], options: CallOptions = {}): Promise<R> {
    const m = typeof module === 'string' ? module : module.href
    const what = `call ${m}#${fn}`
    const timeout = validTimeout(options.timeout)
    if (timeout === undefined) return Promise.reject(timeoutTypeError(what, options.timeout))
    return this.request({ t: 'call', id: 0, m, f: fn, a: args }, what, timeout) as Promise<R>
  }

  /** Like `call`, without waiting for the result; never throws, a no-op when down (OTP's `cast`). */
  cast(module: ModuleSpecifier, fn: string, args: unknown[] = []): void {
    const m = typeof module === 'string' ? module : module.href
    this.post({ t: 'cast', m, f: fn, a: args }, `cast ${m}#${fn}`, false)
  }

  /** Deliver `message` to the handler registered under `to` in the peer; a no-op when down (OTP's `send`). */
  send(to: string, message: unknown): void {
    this.post({ t: 'send', to, v: message }, `send to '${to}'`, true)
  }

  /** Run a self-contained function in the peer (its source is shipped) and return its awaited result. */
  evaluate<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
    if (typeof fn !== 'function') return Promise.reject(new TypeError('evaluate() takes a function'))
    return this.request(
      { t: 'eval', id: 0, src: fn.toString(), a: args },
      `evaluate ${fn.name || '<anonymous>'}`,
    ) as Promise<Awaited<R>>
  }

  /** A typed proxy whose function properties call the module's exports in the peer. */
  module<M>(specifier: ModuleSpecifier, options: CallOptions = {}): RemoteModule<M> {
    return new Proxy(Object.create(null), {
      get: (_, property) => {
        if (typeof property !== 'string' || property === 'then') return undefined
        return (...args: unknown[]) => this.call(specifier, property, args, options)
      },
    }) as RemoteModule<M>
  }

  /**
   * The oldest queued message (sent with `origin.send`) that `match` accepts, or the next one to
   * arrive; the others stay queued (OTP's selective receive).
   */
  receive<T = unknown>(match: (message: unknown) => boolean = () => true, options: WaitOptions = {}): Promise<T> {
    const timeout = validTimeout(options.timeout)
    if (timeout === undefined) return Promise.reject(timeoutTypeError('receive', options.timeout))
    if (typeof match !== 'function') return Promise.reject(new TypeError('receive(match) takes a predicate function'))
    return this.mailbox.receive(match, (fail) => {
      const timer = setTimeout(() => fail(new PeerTimeoutError('receive', timeout, this.context())), timeout)
      return () => clearTimeout(timer)
    }) as Promise<T>
  }

  /** The first line of output matching `pattern` (substring or RegExp), including lines printed before the call. */
  waitForOutput(pattern: string | RegExp, options: WaitOptions = {}): Promise<string> {
    const timeout = validTimeout(options.timeout)
    if (timeout === undefined) return Promise.reject(timeoutTypeError('waitForOutput', options.timeout))
    if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) {
      return Promise.reject(new TypeError('waitForOutput(pattern) takes a string or a RegExp'))
    }
    // A g or y RegExp keeps state between tests; a copy without them finds the first match every time.
    const regexp =
      typeof pattern === 'string' ? undefined : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
    const test = (line: string) => (regexp === undefined ? line.includes(pattern as string) : regexp.test(line))
    const what = `waitForOutput(${String(pattern)})`
    const down = typeof this.current === 'object' ? this.current.down : undefined
    return this.out.firstLine(test, (fail) => {
      if (down !== undefined) {
        fail(new PeerDownError(what, down, this.context()))
        return () => {}
      }
      const timer = setTimeout(() => fail(new PeerTimeoutError(what, timeout, this.context())), timeout)
      const onDown = (reason: DownReason) => fail(new PeerDownError(what, reason, this.context()))
      this.once('down', onDown)
      return () => {
        clearTimeout(timer)
        this.off('down', onDown)
      }
    })
  }

  /** Fault injection: send `signal` to the peer, which goes down as in a crash. */
  kill(signal: NodeJS.Signals | number = 'SIGKILL'): boolean {
    if (typeof this.current === 'object' || this.child.pid === undefined) return false
    return this.child.kill(signal)
  }

  /** Stop the peer per the `shutdown` option; idempotent; resolves when the process is gone (OTP's `stop`). */
  stop(): Promise<void> {
    this.stopping ??= this.runStop()
    return this.stopping
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  // ---- the shutdown ladder ----

  private async runStop(): Promise<void> {
    if (typeof this.current === 'object') return
    this.stopRequested = true
    const plan = this.options.stop
    if (this.current === 'booting' || this.channel === undefined) {
      this.signalChild('SIGKILL')
      await this.exited
      return
    }
    if (plan.kind === 'close') {
      this.channel.close()
      this.killAfter(HALT_TIMEOUT_MS, 'closing its control connection')
      return
    }
    try {
      this.channel.send({ t: 'stop', graceful: plan.kind === 'graceful' })
    } catch {}
    this.killAfter(plan.timeout, plan.kind === 'graceful' ? 'a graceful stop' : 'a halt')
    await this.exited
  }

  /** SIGKILL the peer if it has not exited `ms` after `what`, with a warning that says so. */
  private killAfter(ms: number, what: string): void {
    const timer = setTimeout(() => {
      if (typeof this.current === 'object') return
      process.emitWarning(
        `peer ${this.name} (pid ${this.pid}) did not exit within ${ms} ms of ${what}; killed with SIGKILL`,
        { code: 'VITEST_PEER_KILLED' },
      )
      this.signalChild('SIGKILL')
    }, ms)
    void this.exited.then(() => clearTimeout(timer))
  }

  private signalChild(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal)
    } catch {}
  }

  // ---- process and connection ----

  private watchProcess(): void {
    const { child } = this
    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES) come here and no 'exit' follows; later errors (a failed
      // kill) change nothing: the exit handler decides the state.
      if (child.pid === undefined && this.exitStatus === undefined) {
        this.bootError ??= new PeerBootError(`could not start peer ${this.name}: ${error.message}`, {
          ...this.context(),
          cause: error,
        })
        this.exitStatus = { code: null, signal: null }
        this.goDown()
      }
    })
    if (!this.transport.ownsStdout)
      child.stdout?.on('data', (chunk: Buffer) => this.out.write('raw:stdout', 'stdout', chunk))
    child.stderr?.on('data', (chunk: Buffer) => this.out.write('raw:stderr', 'stderr', chunk))
    child.once('exit', (code, signal) => {
      this.exitStatus = { code, signal }
      this.drainThenGoDown()
    })
  }

  /** After exit, read the pipes to their end (bounded: a grandchild may hold them open), then go down. */
  private drainThenGoDown(): void {
    const streams = [this.child.stdout, this.child.stderr].filter((s) => s !== null && !s.readableEnded)
    if (streams.length === 0) return this.goDown()
    let left = streams.length
    const done = () => {
      left -= 1
      if (left === 0) finish()
    }
    const timer = setTimeout(() => finish(), OUTPUT_DRAIN_MS)
    const finish = () => {
      clearTimeout(timer)
      for (const s of streams) s?.off('end', done).off('close', done)
      this.goDown()
    }
    for (const s of streams) s?.once('end', done)
  }

  private connect(): void {
    let attached: ControlChannel | Promise<ControlChannel>
    try {
      attached = this.transport.attach(this.child, {
        message: (message) => this.onMessage(message),
        text: (stream, bytes) => this.out.write(`raw:${stream}`, stream, bytes),
        damage: (description) => this.diagnose(description),
        closed: () => this.onChannelClosed(),
      })
    } catch (error) {
      this.failBoot(
        new PeerBootError(`control connection of peer ${this.name} failed: ${(error as Error).message}`, {
          ...this.context(),
          cause: error,
        }),
      )
      return
    }
    if (attached instanceof Promise) {
      attached.then(
        (channel) => {
          if (typeof this.current === 'object') channel.close()
          else this.channel = channel
        },
        (error: Error) =>
          this.failBoot(
            error instanceof PeerBootError || error instanceof PeerTimeoutError
              ? error
              : new PeerBootError(`peer ${this.name} did not connect: ${error.message}`, {
                  ...this.context(),
                  cause: error,
                }),
          ),
      )
    } else {
      this.channel = attached
    }
  }

  private armBootTimer(): void {
    const ms = this.options.waitBoot === false ? BOOT_TIMEOUT_MS : this.options.waitBoot
    this.bootTimer = setTimeout(() => {
      if (this.current !== 'booting') return
      this.failBoot(new PeerTimeoutError('boot', ms, this.context()))
    }, ms)
  }

  /** Boot cannot complete: remember why, kill the process; `booted` rejects once it is reaped. */
  private failBoot(error: Error): void {
    if (this.current !== 'booting') return
    this.bootError ??= error
    this.signalChild('SIGKILL')
  }

  private onChannelClosed(): void {
    this.channel = undefined
    // The link makes the peer halt; if its process lingers anyway, it is killed. A stop has its
    // own ladder already.
    if (typeof this.current !== 'object' && !this.stopRequested) {
      this.killAfter(HALT_TIMEOUT_MS, 'losing its control connection')
    }
  }

  private onMessage(message: PeerToOrigin): void {
    switch (message.t) {
      case 'out':
        this.out.write(
          message.s === 1 ? 'relay:stdout' : 'relay:stderr',
          message.s === 1 ? 'stdout' : 'stderr',
          message.d,
        )
        return
      case 'ok':
      case 'err':
        this.calls.settle(message)
        return
      case 'msg': {
        const value = decodeRemote(message.v, message.x)
        this.mailbox.deliver(value)
        this.notify('message', value)
        return
      }
      case 'hello':
        if (this.current !== 'booting') return this.diagnose('a second boot handshake; ignored')
        // A hello still in the pipe when the start was aborted, stopped or timed out changes nothing.
        if (this.stopRequested || this.bootError !== undefined) return
        clearTimeout(this.bootTimer)
        this.current = 'running'
        this.resolveBooted()
        return
    }
  }

  private diagnose(description: string): void {
    const error = new PeerProtocolError(`control connection of peer ${this.name}: ${description}`, this.context())
    this.diagnostics.push(error)
    this.notify('diagnostic', error)
  }

  // ---- requests ----

  private request(
    message: OriginToPeer & { t: 'call' | 'eval' },
    what: string,
    timeout = CALL_TIMEOUT_MS,
  ): Promise<unknown> {
    if (this.current !== 'running') {
      if (typeof this.current === 'object') {
        return Promise.reject(new PeerDownError(what, this.current.down, this.context()))
      }
      return this.booted.then(() => this.request(message, what, timeout))
    }
    if (!Array.isArray(message.a)) return Promise.reject(new TypeError(`${what}: args must be an array`))
    const channel = this.channel
    if (channel === undefined) {
      // The connection is lost and the link is ending the peer: fail once it is down.
      return this.exited.then((reason) => Promise.reject(new PeerDownError(what, reason, this.context())))
    }
    const id = this.calls.nextId()
    message.id = id
    try {
      const encoded = encodeValue(message.a)
      if (encoded.flagged) {
        message.a = encoded.value as unknown[]
        message.x = 1
      }
      channel.send(message)
    } catch (error) {
      return Promise.reject(this.cloneError(what, error))
    }
    return this.calls.wait(id, what, timeout, () => new PeerTimeoutError(what, timeout, this.context()))
  }

  /** Send a message that has no answer; `strict` makes a value that cannot be sent throw. */
  private post(message: OriginToPeer & { t: 'cast' | 'send' }, what: string, strict: boolean): void {
    if (typeof this.current === 'object') return
    if (this.current === 'booting') {
      this.booted.then(
        () => this.post(message, what, false),
        () => {},
      )
      return
    }
    // Running without a channel: the connection is lost and the link is ending the peer.
    const channel = this.channel
    if (channel === undefined) return
    try {
      const key = message.t === 'cast' ? 'a' : 'v'
      const encoded = encodeValue((message as Record<string, unknown>)[key])
      if (encoded.flagged) {
        ;(message as Record<string, unknown>)[key] = encoded.value
        message.x = 1
      }
      channel.send(message)
    } catch (error) {
      const failure = this.cloneError(what, error)
      if (strict) throw failure
      process.emitWarning(failure.message, { code: 'VITEST_PEER_CAST' })
    }
  }

  private cloneError(what: string, cause: unknown): PeerCloneError {
    return new PeerCloneError(
      `${what}: a value cannot be sent to peer ${this.name} (${(cause as Error)?.message ?? String(cause)}); nothing was sent`,
      { ...this.context(), cause },
    )
  }

  // ---- going down ----

  private goDown(): void {
    if (typeof this.current === 'object') return
    const wasBooting = this.current === 'booting'
    clearTimeout(this.bootTimer)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    this.out.end()
    const { code, signal } = this.exitStatus ?? { code: null, signal: null }
    const cause: DownReason['cause'] = wasBooting
      ? this.stopRequested
        ? 'stopped'
        : 'boot-failed'
      : this.stopRequested
        ? 'stopped'
        : code === 0
          ? 'exited'
          : 'crashed'
    const reason: DownReason = { cause, exitCode: code, signal }
    this.current = { down: reason }
    this.channel = undefined
    this.transport.dispose()

    const context = this.context()
    if (wasBooting) {
      this.rejectBooted(
        this.bootError ??
          (this.stopRequested
            ? new PeerBootError(`peer ${this.name} was stopped while booting`, { ...context, exitCode: code, signal })
            : new PeerBootError(`peer ${this.name} exited while booting`, { ...context, exitCode: code, signal })),
      )
    }
    const down = new PeerDownError(`peer ${this.name} went down`, reason, context)
    this.calls.failAll((what) => new PeerDownError(what, reason, context))
    this.mailbox.close(down, this.options.peerDown === 'continue')
    this.resolveExited(reason)
    this.notify('down', reason)
    if (!wasBooting && (cause === 'exited' || cause === 'crashed') && this.options.peerDown === 'crash') {
      this.emit('error', down)
    }
  }

  /**
   * Emit to user listeners from inside the state machine: a listener that throws must not leave
   * it half-way (e.g. `exited` never resolving), so its error is rethrown on its own.
   */
  private notify<K extends Exclude<keyof PeerEvents, 'error'>>(event: K, ...args: PeerEvents[K]): void {
    try {
      ;(this.emit as (event: K, ...args: PeerEvents[K]) => boolean)(event, ...args)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }

  private context(): PeerErrorContext & { output: string } {
    return {
      peer: this.name,
      pid: this.child?.pid,
      command: this.command,
      state: this.current,
      output: this.out?.tail(OUTPUT_TAIL_LINES) ?? '',
    }
  }
}
