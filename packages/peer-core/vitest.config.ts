import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'peer-core',
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Peers are real processes: starting one takes ~50-100 ms, a slow CI box can take seconds.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
})
