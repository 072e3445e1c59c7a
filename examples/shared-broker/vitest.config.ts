// `warm: 2`: each worker keeps two spare peers booted; a test's `startPeer()` (no options of its
// own) is handed one at once, and a new spare boots in its place.
import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer({ warm: 2 })],
  test: {
    name: 'shared-broker',
    include: ['*.test.ts'],
    // Peers are real processes; a loaded CI machine can take seconds to start one.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
