// Bench project (bench/vitest-file.mjs): one file of 20 tests, run with BENCH_KIND = peer | warm
// | plain | shared | bare, and BENCH_WARM spares for `warm`.
import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer({ warm: Number(process.env.BENCH_WARM ?? 0) })],
  test: { include: ['*.test.ts'], pool: 'forks' },
})
