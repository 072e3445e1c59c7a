import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'vitest-peer',
    include: ['test/*.test.ts'],
    // Each test runs child Vitest runs with real peers: seconds each on a busy 2-core box.
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
