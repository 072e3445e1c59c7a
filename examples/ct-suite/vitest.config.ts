// The plugin gives every test its peer context (usePeer, peerName), crash report folders and
// the run-level safety net; `defaults` apply to every peer of this project.

import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer({ defaults: { connection: 'ipc', waitBoot: 15_000 } })],
  test: {
    name: 'ct-suite',
    include: ['*.test.ts'],
    // Peers are real processes; a loaded CI machine can take seconds to start four of them.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
