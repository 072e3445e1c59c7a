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
    // Type-level tests (*.test-d.ts), e.g. the typed proxies of peer.module<M>().
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: '../../tsconfig.json',
      // Only the type tests' own assertions count here; `pnpm typecheck` covers the sources.
      ignoreSourceErrors: true,
    },
  },
})
