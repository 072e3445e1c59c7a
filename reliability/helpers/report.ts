// test:reliability's globalSetup (Vitest main process): gives the scenarios a rows file and marks
// every process of the run (REL_SUITE in the environment, which workers, peers, child runs and
// their descendants inherit). At the end it checks through /proc that no marked process is left
// (a leftover is killed and fails the run), then writes results/report.json (every row, with the
// machine and the run's duration) and results/summary.md (the table), and prints the table.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import type { Row } from './figures.js'
import { argvOf, isGone, killAll, type Proc, procOf, stat } from './proc.js'

const RESULTS = new URL('../results/', import.meta.url).pathname

/**
 * The live processes (zombies aside) whose environment holds `marker`, but for this one and its
 * own Vitest workers (Vitest ends those as it closes).
 */
function leftovers(marker: string): (Proc & { command: string })[] {
  const found: (Proc & { command: string })[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    let environ: string
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1')
    } catch {
      continue
    }
    if (!environ.split('\0').includes(marker)) continue
    const proc = procOf(pid)
    if (proc === undefined || isGone(proc)) continue
    const command = argvOf(pid).join(' ').trim()
    if (stat(pid)?.ppid === process.pid && command.includes('vitest/dist/workers/')) continue
    found.push({ ...proc, command: command.slice(0, 200) })
  }
  return found
}

/** The order of the table: by what each scenario's name starts with (files finish in any order). */
const ORDER = [
  'SIGKILL of the worker',
  'SIGKILL of the Vitest main',
  'SIGKILL of the process group',
  'grandchildren',
  'hung peer',
  'crash mid-call',
  'flood',
  '100 MiB',
  'messages',
  'junk messages',
  'junk bytes',
  'rogue',
  'start/stop',
  'peers ×',
  'ulimit',
  'no process',
]
const rank = (row: Row): number => {
  const at = ORDER.findIndex((start) => row.scenario.includes(start))
  return at === -1 ? ORDER.length : at
}

/** Both projects name this globalSetup (a project without files in the run does not run its own): the first does the work. */
const STARTED = Symbol.for('reliability.report')

export default function setup(project: TestProject): (() => void) | undefined {
  const holder = globalThis as { [STARTED]?: true }
  if (holder[STARTED]) return undefined
  holder[STARTED] = true
  mkdirSync(RESULTS, { recursive: true })
  const rowsFile = project.config.provide.reliabilityRows as string
  rmSync(rowsFile, { force: true })
  // Set by vitest.config.ts before any worker starts.
  const marker = `REL_SUITE=${process.env.REL_SUITE}`
  const started = performance.now()
  const loadAtStart = loadavg()[0]
  return () => {
    const rows: Row[] = existsSync(rowsFile)
      ? readFileSync(rowsFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Row)
          .sort((a, b) => rank(a) - rank(b))
      : []
    const left = leftovers(marker)
    killAll(left)
    rows.push({
      scenario: 'no process of the run left at its end (/proc, by environment marker)',
      connection: '-',
      trials: 1,
      failures: left.length,
      measure: '',
      worstMs: null,
      boundMs: null,
      memory: {},
      extra: {},
      problems: left.map((p) => `left running: pid ${p.pid}: ${p.command}`),
    })
    const durationMs = Math.round(performance.now() - started)
    const machine = {
      node: process.version,
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] },
    }
    writeFileSync(
      join(RESULTS, 'report.json'),
      `${JSON.stringify({ date: new Date().toISOString(), durationMs, machine, rows }, null, 2)}\n`,
    )
    const summary = summarise(rows, durationMs, machine)
    writeFileSync(join(RESULTS, 'summary.md'), summary)
    process.stdout.write(`\n${summary}\nFigures: ${join(RESULTS, 'report.json')}\n`)
    if (left.length > 0) {
      // A throw here is only logged by Vitest: the exit code says it.
      process.exitCode = 1
      throw new Error(
        `test:reliability left ${left.length} processes running (killed now):\n${left.map((p) => `  ${p.pid} ${p.command}`).join('\n')}`,
      )
    }
  }
}

function summarise(
  rows: Row[],
  durationMs: number,
  machine: { node: string; cpus: number; loadAverage: { atStart: number | undefined; atEnd: number | undefined } },
): string {
  const lines = [
    `test:reliability: ${rows.length} scenarios, ${rows.reduce((n, r) => n + r.trials, 0)} trials, ${rows.reduce((n, r) => n + r.failures, 0)} failures, ${(durationMs / 1000).toFixed(0)} s (Node ${machine.node}, ${machine.cpus} cores, load average ${machine.loadAverage.atStart?.toFixed(1)} at the start, ${machine.loadAverage.atEnd?.toFixed(1)} at the end)`,
    '',
    '| scenario | connections | trials | failures | worst | bound | memory |',
    '| --- | --- | ---: | ---: | --- | ---: | --- |',
  ]
  for (const row of rows) {
    const worst = row.worstMs === null ? '-' : `${row.worstMs} ms (${row.measure})`
    const bound = row.boundMs === null ? '-' : `${row.boundMs} ms`
    const memory =
      Object.entries(row.memory)
        .map(([name, value]) => `${name} ${value} MiB`)
        .join(', ') || '-'
    lines.push(
      `| ${row.scenario} | ${row.connection} | ${row.trials} | ${row.failures} | ${worst} | ${bound} | ${memory} |`,
    )
  }
  return `${lines.join('\n')}\n`
}
