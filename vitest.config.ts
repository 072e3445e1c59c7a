import { defineConfig } from 'vitest/config'

// Each package and example is a Vitest project with its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
})
