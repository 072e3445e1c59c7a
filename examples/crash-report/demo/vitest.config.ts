// The project of the test that fails on purpose. It is not one of the workspace's projects (only
// examples/*/vitest.config.ts are): ../report.test.ts runs it with `vitest run --root demo`.
import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: { include: ['*.test.ts'], testTimeout: 30_000 },
})
