// Vitest worker side: a peer's console output under the test that owns the peer. Vitest
// attributes a console call to whatever test is current in the worker when it is made, so lines
// relayed as they arrive would land under other tests; the output is printed at teardown
// instead, while the owning test is current. The text itself is the engine's `peer.output`
// (one buffer per peer); this side only remembers which stream each stretch of it came from.
import type { OutputStream, Peer } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import { PRINT_LIMIT_CHARS } from '../constants.js'

// Captured at load: a test may stub the console or stderr.
const stderrWrite = process.stderr.write.bind(process.stderr)

/** A stretch of output from one stream: its length in characters. */
interface Run {
  stream: OutputStream
  length: number
}

/** Follows a peer's output from adoption on: the streams of the last stretches, and the live echo. */
export class OutputCapture {
  /** The latest runs, covering at least the last `PRINT_LIMIT_CHARS` characters. */
  private readonly runs: Run[] = []
  private covered = 0
  /** Every character the peer has printed, as counted by the runs (kept or not). */
  private total = 0
  private readonly atLineStart = { stdout: true, stderr: true }

  constructor(
    private readonly peer: Peer,
    private readonly echo: boolean,
  ) {
    // Output from before adoption (printed while booting): its streams are not known any more.
    if (peer.output !== '') this.note(peer.output, 'stdout')
    peer.on('output', (text, stream) => this.note(text, stream))
  }

  private note(text: string, stream: OutputStream): void {
    if (text === '') return
    if (this.echo) stderrWrite(this.prefixLines(text, stream))
    const last = this.runs[this.runs.length - 1]
    if (last !== undefined && last.stream === stream) last.length += text.length
    else this.runs.push({ stream, length: text.length })
    this.total += text.length
    this.covered += text.length
    while (this.runs.length > 1 && this.covered - this.runs[0]!.length >= PRINT_LIMIT_CHARS)
      this.covered -= this.runs.shift()!.length
  }

  /**
   * Print the last `PRINT_LIMIT_CHARS` characters with `console.log` (stdout) and `console.error`
   * (stderr), each line prefixed with the peer's name, attributed to `task` even when concurrent
   * tests run in this worker (see `asCurrentTask`).
   */
  printUnder(task: RunnerTestCase): void {
    const pieces = this.lastPieces()
    if (pieces.length === 0) return
    const shown = pieces.reduce((sum, piece) => sum + piece.text.length, 0)
    const name = this.peer.name
    asCurrentTask(task, () => {
      if (shown < this.total) console.error(`${name} | … ${this.total - shown} earlier characters of output dropped`)
      for (const { stream, text } of pieces) {
        const lines = text
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => `${name} | ${line}`)
          .join('\n')
        if (stream === 'stdout') console.log(lines)
        else console.error(lines)
      }
    })
  }

  /** The last stretches of the engine's text, each with its stream, oldest first. */
  private lastPieces(): { stream: OutputStream; text: string }[] {
    const output = this.peer.output
    // The engine keeps the newest text and marks dropped text with one line in front of it.
    const kept = output.length === this.total ? output : output.slice(output.indexOf('\n') + 1)
    let end = kept.length
    const pieces: { stream: OutputStream; text: string }[] = []
    for (let i = this.runs.length - 1; i >= 0 && end > 0 && kept.length - end < PRINT_LIMIT_CHARS; i--) {
      const run = this.runs[i]!
      const start = Math.max(0, end - run.length, kept.length - PRINT_LIMIT_CHARS)
      pieces.unshift({ stream: run.stream, text: kept.slice(start, end) })
      end = start
    }
    return pieces
  }

  private prefixLines(text: string, stream: OutputStream): string {
    let out = ''
    for (const piece of text.split(/(?<=\n)/)) {
      if (this.atLineStart[stream]) out += `${this.peer.name} | `
      out += piece
      this.atLineStart[stream] = piece.endsWith('\n')
    }
    return out
  }
}

/**
 * Run `print` (synchronous console calls) with `task` as the worker's current task. Vitest reads
 * the current task from its worker state synchronously inside each console call; with concurrent
 * tests it holds the test started last. Where that state is not found (another Vitest version),
 * `print` runs as is and sequential tests are still attributed correctly.
 */
function asCurrentTask(task: RunnerTestCase, print: () => void): void {
  const state = (globalThis as { __vitest_worker__?: { current?: unknown } }).__vitest_worker__
  if (state === undefined || typeof state !== 'object') return print()
  const previous = state.current
  state.current = task
  try {
    print()
  } finally {
    state.current = previous
  }
}
