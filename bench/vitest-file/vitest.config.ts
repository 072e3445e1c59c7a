// Bench project (bench/sections/vitest-file.mjs, warm.mjs): one file of tests, BENCH_KIND = peer | take
// | plain | shared | bare; BENCH_WARM: the plugin's `warm` (spare peers per worker).
import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer({ warm: Number(process.env.BENCH_WARM ?? 0) })],
  test: { include: ['*.test.ts'], pool: 'forks' },
})
