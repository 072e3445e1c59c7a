// Origin side: the peer's OS process: spawn, exit, draining its output pipes after the exit,
// signals, and the SIGKILL that follows a deadline. It knows nothing of the control connection.
import { type ChildProcess, spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import { OUTPUT_DRAIN_MS } from '../constants.js'
import type { OriginConnection } from './connection/types.js'
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
  exec: string
  argv: string[]
  cwd: string
  /** Added to (or, `undefined`, removed from) the origin's environment. */
  env: Record<string, string | undefined>
  detached: boolean
}

/** One spawned peer process and its pipes. */
export class PeerProcess {
  readonly child: ChildProcess
  /** Resolves once the process is gone and its pipes are drained (or it never started). */
  readonly ended: Promise<ExitStatus>
  /** Set once `ended` resolves. */
  status: ExitStatus | undefined
  private resolveEnded!: (status: ExitStatus) => void

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
      detached: spec.detached,
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
    child.once('exit', (code, signal) => this.drainThenEnd({ code, signal }))
  }

  /** The OS process id, or 0 when spawning failed. */
  get pid(): number {
    return this.child.pid ?? 0
  }

  /** Send `signal`; false when the process is gone. Throws for an unknown signal name. */
  signal(signal: NodeJS.Signals | number): boolean {
    if (this.status !== undefined || this.child.pid === undefined) return false
    return this.child.kill(signal)
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
   * After the exit, read the pipes to their end, bounded: a grandchild that inherited them may hold
   * them open forever. Then let go of them, so that they keep nothing of the origin alive.
   */
  private drainThenEnd(status: ExitStatus): void {
    const streams = [this.child.stdout, this.child.stderr].filter((s): s is Readable => s !== null && !s.readableEnded)
    if (streams.length === 0) return this.end(status)
    let left = streams.length
    const done = () => {
      left -= 1
      if (left === 0) finish()
    }
    const timer = setTimeout(() => finish(), OUTPUT_DRAIN_MS)
    const finish = () => {
      clearTimeout(timer)
      for (const s of streams) s.off('end', done)
      this.end(status)
    }
    for (const s of streams) s.once('end', done)
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
