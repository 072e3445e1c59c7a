// Test support: the run's janitor of a child Vitest run (src/main/run-janitor.ts).
import { readdirSync, readFileSync } from 'node:fs'
import { RUN_JANITOR_NAME } from '../../src/main/run-janitor.js'

/** The janitor among the children of `pid` (its command line names it), or undefined. */
export function janitorOf(pid: number): number | undefined {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    for (const child of children.map(Number)) {
      if (readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').includes(RUN_JANITOR_NAME)) return child
    }
  }
  return undefined
}
