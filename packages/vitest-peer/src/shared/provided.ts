// Both sides: what the plugin (Vitest main process) provides to its workers with
// `project.provide`, typed for Vitest's `inject`. Internal: not part of the published types.
import type { SerializablePeerOptions } from './types.js'

/** What the plugin provides to the workers (`inject('vitestPeer')`). */
export interface ProvidedConfig {
  /** Defaults for every peer of the project. */
  defaults: SerializablePeerOptions
  /** Absolute folder for crash reports: `<outDir>/<test file>/<test name>/`. */
  outDir: string
  /** The project's root (Vite's `root`), which Vite's root-relative module ids start from. */
  root: string
  /**
   * Absolute registry folder of this run (peer pid records), set by the plugin's globalSetup.
   * Absent when there is no registry: the safety net is off, or its globalSetup did not run.
   */
  registry?: string
  /** Spare peers kept booted per worker for the default options (the plugin's `warm`). */
  warm?: number
  /**
   * Absolute folder where peers write their V8 coverage (`NODE_V8_COVERAGE`). Set only while the
   * run collects coverage with the v8 provider; absent, peers get no coverage setting at all.
   */
  coverage?: string
}

declare module 'vitest' {
  interface ProvidedContext {
    /** Set by the vitest-peer plugin; absent in projects without it. */
    vitestPeer?: ProvidedConfig
  }
}
