import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'crash-report',
    // Only the checking test: demo/jobs.test.ts fails on purpose and runs in a child Vitest.
    include: ['report.test.ts'],
    // The child Vitest run starts, crashes and reports a peer; a loaded CI machine is slow.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
