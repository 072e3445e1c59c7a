// test:reliability's globalSetup (Vitest main process): gives the scenarios a rows file, and at the
// end writes results/report.json (every row, with the machine and the run's duration) and
// results/summary.md (the table), and prints the table.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import type { Row } from './figures.js'

const RESULTS = new URL('../results/', import.meta.url).pathname

export default function setup(project: TestProject): () => void {
  mkdirSync(RESULTS, { recursive: true })
  const rowsFile = join(RESULTS, 'rows.jsonl')
  rmSync(rowsFile, { force: true })
  project.provide('reliabilityRows', rowsFile)
  const started = performance.now()
  const loadAtStart = loadavg()[0]
  return () => {
    const rows: Row[] = existsSync(rowsFile)
      ? readFileSync(rowsFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Row)
      : []
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
  }
}

function summarise(rows: Row[], durationMs: number, machine: { node: string; cpus: number }): string {
  const lines = [
    `test:reliability: ${rows.length} scenarios, ${rows.reduce((n, r) => n + r.trials, 0)} trials, ${rows.reduce((n, r) => n + r.failures, 0)} failures, ${(durationMs / 1000).toFixed(0)} s (Node ${machine.node}, ${machine.cpus} cores)`,
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
