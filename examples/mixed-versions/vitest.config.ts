import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: {
    name: 'mixed-versions',
    include: ['*.test.ts'],
    // Peers are real processes; a loaded CI machine can take seconds to start one.
    testTimeout: 30_000,
  },
})
