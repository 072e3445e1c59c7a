import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: {
    include: ['test/**/*.test.ts'],
    // Peers are real processes; a loaded machine can take seconds to start one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: { include: ['src/**'] },
  },
})
