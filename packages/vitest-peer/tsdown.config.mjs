import { defineConfig } from 'tsdown'
import { nodeLibrary } from '../../tsdown.base.mjs'

export default defineConfig({
  // index: the worker API; plugin: the config entry; setup, global-setup, reporter,
  // tap-reporter, coverage-reporter: files the plugin injects into Vitest; janitor: the sweep the run's
  // janitor runs once the main process is gone; resolve: every peer's module resolver; ts-*: loaded
  // inside peers that need TypeScript.
  entry: {
    index: 'src/index.ts',
    plugin: 'src/plugin.ts',
    setup: 'src/worker/setup.ts',
    'global-setup': 'src/main/global-setup.ts',
    reporter: 'src/main/reporter.ts',
    'tap-reporter': 'src/main/tap-reporter.ts',
    janitor: 'src/janitor/sweep.ts',
    'coverage-reporter': 'src/main/coverage/reporter.ts',
    resolve: 'src/peer/resolve.ts',
    'ts-register': 'src/peer/ts-register.ts',
    'ts-preload': 'src/peer/ts-preload.ts',
    'ts-hook': 'src/peer/ts-hook.ts',
  },
  format: 'esm',
  ...nodeLibrary,
  dts: true,
  clean: true,
  deps: { neverBundle: ['vitest', /^vitest\//, '@vitest-peer/core', /^@vitest-peer\/core\//] },
})
