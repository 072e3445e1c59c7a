// pnpm test:reliability: the scenarios in scenarios/, one file at a time (their timings must not
// share the 2 cores with another file), each writing its figures (helpers/figures.ts); the
// globalSetup (helpers/report.ts) writes results/report.json and results/summary.md.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'reliability',
    include: ['scenarios/*.test.ts'],
    globalSetup: ['helpers/report.ts'],
    setupFiles: ['helpers/setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    // Each test is a whole scenario: many trials of real processes.
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
})
