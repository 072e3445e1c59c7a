// pnpm test:reliability: the scenarios in scenarios/, each writing its figures (helpers/figures.ts);
// the globalSetup (helpers/report.ts) checks that nothing of the run is left, and writes
// results/report.json and results/summary.md.
//
// Two groups, one after the other, so that the two cores are used without a scenario's timings
// being bent by another's: first the scenarios that keep both cores busy on their own (child Vitest
// runs, 1,000 cycles, 600 boots, millions of messages), one file at a time; then those that use
// about one core each (one peer at a time, or waits), two files at a time.
import { randomUUID } from 'node:crypto'
import { defineConfig } from 'vitest/config'

const RESULTS = new URL('./results/', import.meta.url).pathname
// Every process of the run carries this in its environment: the globalSetup finds what is left.
process.env.REL_SUITE ??= randomUUID()

const shared = {
  setupFiles: ['helpers/setup.ts'],
  globalSetup: ['helpers/report.ts'],
  pool: 'forks' as const,
  provide: { reliabilityRows: `${RESULTS}rows.jsonl` },
  // Each test is a whole scenario: many trials of real processes.
  testTimeout: 600_000,
  hookTimeout: 60_000,
}

const alone = ['kills', 'cycles', 'boots', 'messages']

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'both cores',
          include: alone.map((name) => `scenarios/${name}.test.ts`),
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...shared,
          name: 'one core',
          include: ['scenarios/*.test.ts'],
          exclude: alone.map((name) => `scenarios/${name}.test.ts`),
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
})
