// Origin side: one peer's life, as a state machine over the phases of phase.ts, with one shutdown
// ladder: ask → wait → SIGKILL → reap → flush output → reject what is pending. OTP's `peer` runs
// the same in its control process (its state record is commented field by field there):
// https://github.com/erlang/otp/blob/3731fd7451cf85b839b2f1008bbbc7bb2dda3a6d/lib/stdlib/src/peer.erl
// Longer than this codebase's other files on purpose: every transition between phases stays in
// this one file, to be read at once; what each phase means, the channel, the process, requests,
// the heartbeat and the process tree are beside it (phase.ts, channel.ts, process.ts, requests.ts,
// heartbeat.ts, tree.ts).
import { CLOSE_GRACE_MS, LINK_GRACE_MS, OUTPUT_TAIL_LINES } from '../constants.js'
import { PeerBootError, PeerDownError, type PeerErrorContext, PeerProtocolError, PeerTimeoutError } from '../errors.js'
import { type PeerToOrigin, PROTOCOL_VERSION } from '../protocol/messages.js'
import { openChannel } from './channel.js'
import { buildCommand, formatCommand, linkedCommand } from './command.js'
import type { OriginConnection } from './connection/types.js'
import { Heartbeat } from './heartbeat.js'
import { Mailbox } from './mailbox.js'
import type { ResolvedOptions } from './options.js'
import { OutputBuffer } from './output.js'
import { endingOf, type Phase, publicState, routeOf } from './phase.js'
import { type ExitStatus, PeerProcess } from './process.js'
import { Requests } from './requests.js'
import type { DownReason, PeerEvents, PeerState } from './types.js'

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setTimeout, clearTimeout } = globalThis

/** How the control reports to the `Peer` it serves: its events, emitted on the Peer. */
export type Notify = <K extends keyof PeerEvents>(event: K, ...args: PeerEvents[K]) => void

/** The peer behind a `Peer` object: its process, connection, output, mailbox and requests. */
export class PeerControl {
  /** The name, and the user's program and arguments (without the link's `setpriv`). */
  readonly name: string
  readonly exec: string
  readonly argv: readonly string[]
  readonly command: string
  /** Resolves once running; rejects with the reason the boot failed. */
  readonly booted: Promise<void>
  /** Resolves with the down reason once the process is gone and reaped. */
  readonly exited: Promise<DownReason>
  /** Refused frames, messages and connections, oldest first. */
  readonly diagnostics: PeerProtocolError[] = []
  /** The peer's console text. */
  readonly out: OutputBuffer
  /** Messages the peer sent with `origin.send`, until received. */
  readonly mailbox = new Mailbox()
  /** Calls and other requests to the peer. */
  readonly requests: Requests
  /** The OS process. */
  readonly process: PeerProcess

  /** The current phase; changes only through the methods below. */
  private phase: Phase = { name: 'booting', channel: undefined }
  /** The boot deadline, cleared by the handshake or the end. */
  private readonly bootTimer: ReturnType<typeof setTimeout>
  /** The one run of the shutdown ladder (`stop()` is idempotent). */
  private stopping: Promise<void> | undefined
  /** With the `heartbeat` option: ticks while running; set `unresponsive` when the peer went silent. */
  private readonly heartbeat: Heartbeat | undefined
  private unresponsive = false
  private resolveBooted!: () => void
  private rejectBooted!: (error: Error) => void
  private resolveExited!: (reason: DownReason) => void
  private readonly onAbort = () => void this.runStop(this.abortError())

  constructor(
    private readonly options: ResolvedOptions,
    private readonly connection: OriginConnection,
    private readonly notify: Notify,
  ) {
    this.name = options.name
    this.booted = new Promise<void>((resolve, reject) => {
      this.resolveBooted = resolve
      this.rejectBooted = reject
    })
    this.booted.catch(() => {}) // the caller of startPeer (or of `booted`) sees it
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve
    })
    this.out = new OutputBuffer((text, stream) => notify('output', text, stream))
    this.requests = new Requests({
      name: this.name,
      route: () => routeOf(this.phase, this.booted, this.exited),
      context: () => this.context(),
    })

    const [exec, argv] = buildCommand(options, connection)
    this.exec = exec
    this.argv = Object.freeze(argv)
    this.command = formatCommand(exec, argv)
    const spawn = {
      ...linkedCommand(exec, argv, options.detached),
      name: this.name,
      cwd: options.cwd,
      env: options.env,
    }
    this.process = new PeerProcess(spawn, connection, (stream, bytes) => this.out.write(`raw:${stream}`, stream, bytes))
    this.process.ended.then((status) => this.goDown(status))
    this.heartbeat =
      options.heartbeat === false
        ? undefined
        : new Heartbeat(options.heartbeat, {
            tick: () => {
              if (this.phase.name === 'running') this.phase.channel.send({ t: 'tick' })
            },
            paused: () => this.process.paused,
            silent: () => this.silent(),
          })
    this.bootTimer = setTimeout(
      () => this.failBoot(new PeerTimeoutError('boot', options.bootTimeout, this.context())),
      options.bootTimeout,
    )
    if (this.process.pid !== 0) this.attach()
    // The signal may have fired while the connection was being prepared: act on it now.
    if (options.signal?.aborted) this.onAbort()
    else options.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  /** The public state: the phases as `booting`, `running` or down. */
  get state(): PeerState {
    return publicState(this.phase)
  }

  /** The down reason, once down. */
  get down(): DownReason | undefined {
    return this.phase.name === 'down' ? this.phase.reason : undefined
  }

  /** The down reason once down; while going down, when it will be. */
  get ending(): DownReason | Promise<DownReason> | undefined {
    return endingOf(this.phase, this.exited)
  }

  /** Stop per the `shutdown` option; resolves when the process is gone (with `'close'`: once the connection is closed). */
  stop(): Promise<void> {
    return this.runStop(undefined)
  }

  /** The context of an error about this peer. */
  context(): PeerErrorContext & { output: string } {
    return {
      peer: this.name,
      pid: this.process?.pid || undefined,
      command: this.command,
      state: this.state,
      output: this.out.tail(OUTPUT_TAIL_LINES),
    }
  }

  // ---- the connection ----

  private attach(): void {
    openChannel(this.connection, this.process.child, {
      established: (channel) => {
        if (this.phase.name === 'booting') this.phase = { name: 'booting', channel }
        else channel.close()
      },
      failed: (error, what) =>
        this.failBoot(
          error instanceof PeerBootError || error instanceof PeerTimeoutError
            ? error
            : this.bootError(
                what === 'attach'
                  ? `control connection of peer ${this.name} failed`
                  : `peer ${this.name} did not connect`,
                error,
              ),
        ),
      message: (message) => {
        this.heartbeat?.heard()
        this.receive(message)
      },
      undecodable: (message, description) => {
        this.diagnose(description)
        if (message.t === 'ok' || message.t === 'err') this.requests.fail(message.id, description)
      },
      text: (stream, bytes) => this.out.write(`raw:${stream}`, stream, bytes),
      damage: (description) => this.diagnose(description),
      closed: () => this.connectionLost(),
    })
  }

  private receive(message: PeerToOrigin): void {
    switch (message.t) {
      case 'out':
        return this.out.write(
          message.s === 1 ? 'relay:stdout' : 'relay:stderr',
          message.s === 1 ? 'stdout' : 'stderr',
          message.d,
        )
      case 'ok':
      case 'err':
        if (!this.requests.settle(message))
          this.diagnose(`'${message.t}' answer to call ${message.id}, which was never made; dropped`)
        return
      case 'msg':
        this.mailbox.deliver(message.v)
        return this.notify('message', message.v)
      case 'hello':
        return this.hello(message.v)
      case 'tock':
        return
    }
  }

  private hello(version: number): void {
    const phase = this.phase
    // A hello still in the pipe when the start was aborted, stopped or timed out changes nothing.
    if (phase.name === 'boot-failing' || phase.name === 'stopping' || phase.name === 'down') return
    if (phase.name !== 'booting' || phase.channel === undefined) {
      this.diagnose('a second boot handshake; ignored')
      return
    }
    if (version !== PROTOCOL_VERSION) {
      return this.failBoot(
        new PeerBootError(
          `peer ${this.name} runs a peer runtime that speaks protocol version ${version}, and this origin speaks version ${PROTOCOL_VERSION}: the peer must run the runtime of the same @vitest-peer/core release as the origin`,
          this.context(),
        ),
      )
    }
    clearTimeout(this.bootTimer)
    const { channel } = phase
    const resolver = this.options.moduleResolver
    if (resolver !== undefined) channel.send({ t: 'init', resolver: { m: resolver.module, d: resolver.data } })
    this.phase = { name: 'running', channel }
    this.heartbeat?.start()
    this.resolveBooted()
  }

  private connectionLost(): void {
    const phase = this.phase
    if (phase.name === 'running') this.phase = { name: 'unlinked' }
    // While booting, keep booting: the peer halts and its exit (with its output) tells the boot error.
    else if (phase.name === 'booting' && phase.channel !== undefined)
      this.phase = { name: 'booting', channel: undefined }
    else return
    // A paused peer could not see the loss: thaw it, so that the link halts it as a running one.
    this.process.resume()
    this.killAfter(LINK_GRACE_MS, 'losing its control connection')
  }

  /** The heartbeat went unanswered a whole period: the peer is hung; kill it, down as unresponsive. */
  private silent(): void {
    if (this.phase.name !== 'running' && this.phase.name !== 'unlinked') return
    this.unresponsive = true
    this.process.signal('SIGKILL')
  }

  /** Record a refused frame, message or connection. */
  private diagnose(description: string): void {
    const error = new PeerProtocolError(`control connection of peer ${this.name}: ${description}`, this.context())
    this.diagnostics.push(error)
    this.notify('diagnostic', error)
  }

  // ---- boot failures and the shutdown ladder ----

  /** Boot cannot complete: remember why and kill the process; `booted` rejects once it is reaped. */
  private failBoot(error: Error): void {
    if (this.phase.name !== 'booting') return
    this.phase = { name: 'boot-failing', error }
    this.process.signal('SIGKILL')
  }

  private runStop(abort: Error | undefined): Promise<void> {
    this.stopping ??= this.ladder(abort)
    return this.stopping
  }

  private async ladder(abort: Error | undefined): Promise<void> {
    const phase = this.phase
    if (phase.name === 'down') return
    if (phase.name !== 'running') {
      // Booting, failing to boot, or unlinked: nothing to ask; SIGKILL and reap.
      const wasBooting = phase.name !== 'unlinked'
      this.phase = { name: 'stopping', wasBooting, error: phase.name === 'boot-failing' ? phase.error : abort }
      this.process.signal('SIGKILL')
      await this.exited
      return
    }
    this.phase = { name: 'stopping', wasBooting: false, error: undefined }
    // A paused peer could neither see the close nor act on the stop: thaw it first.
    this.process.resume()
    const plan = this.options.stop
    if (plan.kind === 'close') {
      phase.channel.close()
      this.killAfter(CLOSE_GRACE_MS, 'closing its control connection')
      return
    }
    try {
      phase.channel.send({ t: 'stop', graceful: plan.kind === 'graceful' })
    } catch {}
    this.killAfter(plan.timeout, plan.kind === 'graceful' ? 'a graceful stop' : 'a halt')
    await this.exited
  }

  /** SIGKILL the process unless it is gone `ms` after `what`, with a warning that says so. */
  private killAfter(ms: number, what: string): void {
    this.process.killAfter(
      ms,
      () => `peer ${this.name} (pid ${this.process.pid}) did not exit within ${ms} ms of ${what}; killed with SIGKILL`,
    )
  }

  private goDown(status: ExitStatus): void {
    const phase = this.phase
    if (phase.name === 'down') return
    clearTimeout(this.bootTimer)
    this.heartbeat?.stop()
    this.options.signal?.removeEventListener('abort', this.onAbort)
    this.out.end()
    const { code, signal } = status
    const wasBooting =
      phase.name === 'booting' || phase.name === 'boot-failing' || (phase.name === 'stopping' && phase.wasBooting)
    const cause: DownReason['cause'] =
      phase.name === 'stopping'
        ? 'stopped'
        : wasBooting
          ? 'boot-failed'
          : this.unresponsive
            ? 'unresponsive'
            : code === 0
              ? 'exited'
              : 'crashed'
    const reason: DownReason = { cause, exitCode: code, signal }
    this.phase = { name: 'down', reason }
    this.connection.dispose()

    const context = this.context()
    if (wasBooting) {
      const known = phase.name === 'boot-failing' || phase.name === 'stopping' ? phase.error : undefined
      this.rejectBooted(
        known ??
          (status.spawnError !== undefined
            ? this.bootError(`could not start peer ${this.name}`, status.spawnError)
            : new PeerBootError(
                `peer ${this.name} ${phase.name === 'stopping' ? 'was stopped' : 'exited'} while booting`,
                { ...context, exitCode: code, signal },
              )),
      )
    }
    this.requests.failAll(reason)
    this.mailbox.close(
      () => new PeerDownError(`peer ${this.name} went down`, reason, context),
      this.options.peerDown === 'continue',
    )
    this.resolveExited(reason)
    this.notify('down', reason)
    if (!wasBooting && cause !== 'stopped' && this.options.peerDown === 'crash') {
      this.notify('error', new PeerDownError(`peer ${this.name} went down`, reason, context))
    }
  }

  private bootError(what: string, cause: unknown): PeerBootError {
    return new PeerBootError(`${what}: ${(cause as Error)?.message ?? String(cause)}`, { ...this.context(), cause })
  }

  private abortError(): PeerBootError | undefined {
    if (this.state !== 'booting') return undefined
    return new PeerBootError(`start of peer ${this.name} was aborted`, {
      ...this.context(),
      cause: this.options.signal?.reason,
    })
  }
}
