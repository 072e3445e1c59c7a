// The suite bench/coverage.mjs runs: the same 20 cases, in peers (peers.test.ts) and in the test's
// own process (inprocess.test.ts), with the project's usual coverage settings.

import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: { include: ['*.test.ts'], coverage: { include: ['src/**'] } },
})
