// The coverage settings are a project's usual ones (the provider is Vitest's default, v8); the
// vitest-peer plugin is what brings the peers' coverage into the report. The thresholds make
// `pnpm example` fail if the code the peers ran were not counted: no test imports src/.

import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: {
    name: 'coverage',
    include: ['*.test.ts'],
    // Peers are real processes; a loaded CI machine can take seconds to start one.
    testTimeout: 30_000,
    coverage: {
      include: ['src/**'],
      reporter: ['text', 'html'],
      thresholds: { 100: true },
    },
  },
})
