// The project that test:reliability runs in child Vitest runs to kill them mid-test (kills.test.ts).
// A single run: linked.test.ts, one trial. A batch run (REL_BATCH_DIR, a folder under this one):
// one file per trial, REL_MAX_WORKERS of them at a time, each in a fresh worker (a killed worker
// fails its file; Vitest goes on with the next).
import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

const batch = process.env.REL_BATCH_DIR

export default defineConfig({
  plugins: [vitestPeer({ outDir: process.env.REL_OUT_DIR ?? '.vitest-peer' })],
  test: {
    include: batch === undefined ? ['linked.test.ts'] : [`${batch}/*.test.ts`],
    pool: 'forks',
    maxWorkers: Number(process.env.REL_MAX_WORKERS ?? 1),
    testTimeout: 120_000,
  },
})
