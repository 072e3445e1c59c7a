// Origin side: the peer's OS process and its process tree: spawn, exit, ending the descendants
// and draining the output pipes after the exit, signals, pausing, and the SIGKILL that follows a
// deadline. It knows nothing of the control connection.
import { type ChildProcess, spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import { DESCENDANTS_GONE_MS, OUTPUT_DRAIN_MS, PAUSE_CONFIRM_MS } from '../constants.js'
import type { OriginConnection } from './connection/types.js'
import { watchGroup } from './janitor.js'
import { endGroup, signalGroup, waitStopped } from './tree.js'
import type { OutputStream } from './types.js'

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setTimeout, clearTimeout } = globalThis

/** How the process ended: its exit code or signal, or the error that kept it from starting. */
export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
  /** Spawning failed (ENOENT, EACCES): no process ever ran. */
  spawnError?: Error
}

export interface ProcessSpec {
  /** The peer's name, for warnings. */
  name: string
  exec: string
  argv: string[]
  cwd: string
  /** Added to (or, `undefined`, removed from) the origin's environment. */
  env: Record<string, string | undefined>
  /** Start a session of its own (setsid); else `exec` makes it lead a process group (command.ts). */
  setsid: boolean
}

/** One spawned peer process and its pipes. */
export class PeerProcess {
  readonly child: ChildProcess
  /** Resolves once the process is gone and its pipes are drained (or it never started). */
  readonly ended: Promise<ExitStatus>
  /** Set once `ended` resolves. */
  status: ExitStatus | undefined
  private resolveEnded!: (status: ExitStatus) => void
  /** Set by `pause()`, cleared by `resume()`, a kill and the exit. */
  private frozen = false

  /** Spawn `spec`; `text` receives what arrives on stdout and stderr pipes the connection does not read. */
  constructor(spec: ProcessSpec, connection: OriginConnection, text: (stream: OutputStream, bytes: Buffer) => void) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve
    })
    const env: NodeJS.ProcessEnv = { ...process.env }
    for (const [key, value] of Object.entries(spec.env)) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }
    const child = spawn(spec.exec, spec.argv, {
      cwd: spec.cwd,
      env,
      stdio: connection.stdio,
      detached: spec.setsid,
      windowsHide: true,
      ...connection.spawnOptions,
    })
    this.child = child
    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES) come here and no 'exit' follows; later errors (a failed
      // kill) change nothing: the exit decides.
      if (child.pid === undefined) this.end({ code: null, signal: null, spawnError: error })
    })
    if (!connection.ownsStdout) child.stdout?.on('data', (chunk: Buffer) => text('stdout', chunk))
    child.stderr?.on('data', (chunk: Buffer) => text('stderr', chunk))
    const pid = child.pid
    if (pid === undefined) return
    // The peer leads the group named by its pid (command.ts); if this origin dies, the janitor
    // kills that group, and with it the descendants the link does not reach.
    const unwatch = watchGroup(pid)
    child.once('exit', (code, signal) => {
      this.frozen = false
      // The descendants first: one that inherited the pipes would hold the drain up.
      // (Never rejects in practice; if it did, `exited` must resolve all the same.)
      const ending = endGroup(pid, DESCENDANTS_GONE_MS).catch(() => [])
      void Promise.all([ending, this.drain()]).then(([alive]) => {
        unwatch()
        if (alive.length > 0) {
          const warning = `descendants of peer ${spec.name} (pid ${pid}) still alive ${DESCENDANTS_GONE_MS} ms after SIGKILL: ${alive.join(', ')}`
          process.emitWarning(warning, { code: 'VITEST_PEER_DESCENDANTS' })
        }
        this.end({ code, signal })
      })
    })
  }

  /** The OS process id, or 0 when spawning failed. */
  get pid(): number {
    return this.child.pid ?? 0
  }

  /** Whether `pause()` froze the process tree (and nothing thawed it since). */
  get paused(): boolean {
    return this.frozen
  }

  /** Send `signal` to the peer alone; false when the process is gone. Throws for an unknown signal name. */
  signal(signal: NodeJS.Signals | number): boolean {
    if (this.status !== undefined || this.child.pid === undefined) return false
    return this.child.kill(signal)
  }

  /** Fault injection: send `signal` to the peer, and thaw a paused tree so that the signal acts. */
  kill(signal: NodeJS.Signals | number): boolean {
    const sent = this.signal(signal)
    this.resume()
    return sent
  }

  /**
   * Stop the peer and its process group (SIGSTOP); resolves once the peer shows as stopped, or
   * is gone, or was resumed meanwhile.
   */
  async pause(): Promise<void> {
    if (this.frozen || !this.signalTree('SIGSTOP')) return
    this.frozen = true
    await waitStopped(this.pid, PAUSE_CONFIRM_MS, () => !this.frozen)
  }

  /** Continue a paused peer and its process group (SIGCONT); nothing when not paused. */
  resume(): void {
    if (!this.frozen) return
    this.frozen = false
    this.signalTree('SIGCONT')
  }

  /**
   * Send `signal` to the peer's process group; to the peer alone in the moment before it leads
   * one (its spawn prefix has not run setpgid yet). False once the peer is reaped: its pid may
   * then name another process.
   */
  private signalTree(signal: NodeJS.Signals): boolean {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return false
    return signalGroup(this.child.pid, signal) || this.signal(signal)
  }

  /** SIGKILL the process if it has not ended `ms` after now; `warn()` says why, as a process warning. */
  killAfter(ms: number, warn: () => string): void {
    if (ms === Number.POSITIVE_INFINITY) return
    const timer = setTimeout(() => {
      if (this.status !== undefined) return
      process.emitWarning(warn(), { code: 'VITEST_PEER_KILLED' })
      this.signal('SIGKILL')
    }, ms)
    void this.ended.then(() => clearTimeout(timer))
  }

  /**
   * After the exit, read the pipes to their end, bounded: a descendant that inherited them may
   * hold them open (one that left the peer's process group survives it). Then let go of them, so
   * that they keep nothing of the origin alive.
   */
  private drain(): Promise<void> {
    const streams = [this.child.stdout, this.child.stderr].filter((s): s is Readable => s !== null && !s.readableEnded)
    if (streams.length === 0) return Promise.resolve()
    return new Promise((resolve) => {
      let left = streams.length
      const done = () => {
        left -= 1
        if (left === 0) finish()
      }
      const timer = setTimeout(() => finish(), OUTPUT_DRAIN_MS)
      const finish = () => {
        clearTimeout(timer)
        for (const s of streams) s.off('end', done)
        resolve()
      }
      for (const s of streams) s.once('end', done)
    })
  }

  private end(status: ExitStatus): void {
    if (this.status !== undefined) return
    // The drain is over: a pipe that a descendant still holds would keep the origin's event loop
    // alive until that descendant exits, and what it writes from now on is not the peer's output.
    this.child.stdout?.destroy()
    this.child.stderr?.destroy()
    this.status = status
    this.resolveEnded(status)
  }
}
