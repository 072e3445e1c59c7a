import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: {
    name: 'quickstart',
    include: ['*.test.ts'],
    // A peer is a real Node.js process; a loaded CI machine can take seconds to start one.
    testTimeout: 30_000,
  },
})
