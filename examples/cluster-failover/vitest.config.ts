// The plugin gives every test its peer context (peerName, useProxy), crash report folders and the
// run-level safety net.

import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: {
    name: 'cluster-failover',
    include: ['*.test.ts'],
    // Three peers per test and an election or two (the nodes' own timeouts: 1 to 2 s each).
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
})
