import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'example-basic',
    include: ['*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
})
