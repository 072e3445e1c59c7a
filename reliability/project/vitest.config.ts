// The project that test:reliability runs in child Vitest runs to kill them mid-test (kills.test.ts):
// one test file whose test starts peers over every connection, then waits or spins (REL_WORKER).
import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer({ outDir: process.env.REL_OUT_DIR ?? '.vitest-peer' })],
  test: { include: ['*.test.ts'], pool: 'forks', maxWorkers: 1, testTimeout: 120_000 },
})
