// Vitest worker side: a peer's console text, kept per stream in arrival order and printed under
// the test that owns the peer. Vitest attributes a console call to whatever test is current when
// it is made (research/vitest-integration.md §4), so live relaying would land lines under other
// tests; the text is printed at teardown instead, while the owning test is current.
import type { OutputStream } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import { PRINT_LIMIT_CHARS } from '../constants.js'

// Captured at load: a test may stub the console or stderr.
const stderrWrite = process.stderr.write.bind(process.stderr)

interface Chunk {
  stream: OutputStream
  text: string
}

/** Bounded log of a peer's output, with an optional live echo to stderr. */
export class OutputLog {
  private readonly chunks: Chunk[] = []
  private size = 0
  private dropped = 0
  private readonly atLineStart = { stdout: true, stderr: true }

  constructor(
    private readonly name: string,
    private readonly echo: boolean,
  ) {}

  /** Append text as it arrives from the peer. */
  push(text: string, stream: OutputStream): void {
    if (text === '') return
    if (this.echo) stderrWrite(this.prefixLines(text, stream))
    const last = this.chunks[this.chunks.length - 1]
    if (last !== undefined && last.stream === stream) last.text += text
    else this.chunks.push({ stream, text })
    this.size += text.length
    while (this.size > PRINT_LIMIT_CHARS && this.chunks.length > 0) {
      const first = this.chunks[0]!
      const cut = Math.min(first.text.length, this.size - PRINT_LIMIT_CHARS)
      first.text = first.text.slice(cut)
      this.size -= cut
      this.dropped += cut
      if (first.text === '') this.chunks.shift()
    }
  }

  /**
   * Print the log with `console.log` (stdout) and `console.error` (stderr), attributed to `task`
   * even when concurrent tests run in this worker (see `asCurrentTask`). Each line is prefixed
   * with the peer's name.
   */
  printUnder(task: RunnerTestCase): void {
    if (this.chunks.length === 0) return
    asCurrentTask(task, () => {
      if (this.dropped > 0) console.error(`${this.name} | … ${this.dropped} earlier characters of output dropped`)
      for (const { stream, text } of this.chunks) {
        const lines = text
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => `${this.name} | ${line}`)
          .join('\n')
        if (stream === 'stdout') console.log(lines)
        else console.error(lines)
      }
    })
    this.chunks.length = 0
    this.size = 0
  }

  private prefixLines(text: string, stream: OutputStream): string {
    let out = ''
    for (const piece of text.split(/(?<=\n)/)) {
      if (this.atLineStart[stream]) out += `${this.name} | `
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
