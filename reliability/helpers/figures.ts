// Test support (test:reliability): each scenario's figures. A test collects its trials in a
// `Figures`, records them (one JSON line in the run's rows file, which the globalSetup turns into
// the report and the summary), then asserts that nothing failed: the figures of a failing
// scenario are in the report too.
import { appendFileSync } from 'node:fs'
import { expect, inject, onTestFinished } from 'vitest'

/** One row of the report. */
export interface Row {
  scenario: string
  /** The connections it ran over (or `-` when none applies). */
  connection: string
  trials: number
  failures: number
  /** What `worstMs` measures, e.g. "kill → every peer gone". */
  measure: string
  /** The worst time over the trials, and the bound it was held to. */
  worstMs: number | null
  boundMs: number | null
  /** Memory figures, e.g. the origin's peak RSS, in MiB. */
  memory: Record<string, number>
  /** Other figures worth keeping (per connection worst times, throughputs). */
  extra: Record<string, unknown>
  /** One line per failed trial. */
  problems: string[]
}

declare module 'vitest' {
  interface ProvidedContext {
    /** The file the rows go to, one JSON line each (set by helpers/report.ts). */
    reliabilityRows: string
  }
}

/** Collects one scenario's trials. */
export class Figures {
  private readonly row: Row
  private written = false

  constructor(scenario: string, connection: string, measure: string, boundMs: number | null) {
    this.row = {
      scenario,
      connection,
      trials: 0,
      failures: 0,
      measure,
      worstMs: null,
      boundMs,
      memory: {},
      extra: {},
      problems: [],
    }
    // A scenario that threw before done() is in the report too, as failed.
    onTestFinished(({ task }) => {
      if (this.written) return
      const error = task.result?.errors?.[0]
      this.fail(`the scenario stopped: ${error?.message?.split('\n')[0] ?? 'before its end'}`)
      this.write()
    })
  }

  /** One trial: its measured time (or null), and the problem that failed it, if any. */
  trial(ms: number | null, problem?: string): void {
    this.row.trials += 1
    if (ms !== null) this.row.worstMs = Math.max(this.row.worstMs ?? 0, Math.round(ms))
    if (problem !== undefined) {
      this.row.failures += 1
      this.row.problems.push(`trial ${this.row.trials}: ${problem}`)
    }
  }

  /** A failure of the scenario as a whole (e.g. a leak found after all trials). */
  fail(problem: string): void {
    this.row.failures += 1
    this.row.problems.push(problem)
  }

  /** Keep the largest value seen for a memory figure (MiB). */
  memory(name: string, mib: number): void {
    this.row.memory[name] = Math.max(this.row.memory[name] ?? 0, Math.round(mib * 10) / 10)
  }

  extra(name: string, value: unknown): void {
    this.row.extra[name] = value
  }

  private write(): void {
    this.written = true
    appendFileSync(inject('reliabilityRows'), `${JSON.stringify(this.row)}\n`)
  }

  /** Write the row, then fail the test if any trial failed (the problems are the message). */
  done(): void {
    this.write()
    expect(this.row.problems, `${this.row.scenario} over ${this.row.connection}`).toEqual([])
  }
}

/** Bytes to MiB. */
export const mib = (bytes: number): number => bytes / 2 ** 20

/** Runs `work` while sampling this process's RSS; returns its result, the time and the peak. */
export async function sampled<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; rssPeak: number }> {
  let rssPeak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
  }, 10)
  const t0 = performance.now()
  try {
    const value = await work()
    return { value, ms: performance.now() - t0, rssPeak: Math.max(rssPeak, process.memoryUsage.rss()) }
  } finally {
    clearInterval(sampler)
  }
}
