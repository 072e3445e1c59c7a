// Vitest main process: `vitestPeer()`, the Vitest plugin. Adds the setup file
// (per-test context for `usePeer`, worker watch of the main process), the globalSetup (registry,
// reaper) and the leak reporter, provides the project's peer defaults to the workers, puts a
// TAP reporter that keeps multi-line messages in place of Vitest's, and in a coverage run merges
// the peers' coverage into the report (main/coverage/).
/// <reference types="vitest/config" />
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import { DEFAULT_OUT_DIR } from './constants.js'
import { setUpPeerCoverage } from './main/coverage/setup.js'
import type { ProvidedConfig } from './shared/provided.js'
import type { SerializablePeerOptions } from './shared/types.js'

/** Options of `vitestPeer()`. */
export interface VitestPeerPluginOptions {
  /**
   * Defaults for every peer of the project (connection, args, env, waitBoot, shutdown, peerDown,
   * echo, typescript); `peerOptions` and each start's options come on top. Must be serialisable.
   */
  defaults?: SerializablePeerOptions
  /** Folder for crash reports, relative to the project root. Default `.vitest-peer`. */
  outDir?: string
  /** The run-level safety net (registry, leak killer, reaper of dead runs). Default true. */
  safetyNet?: boolean
  /**
   * Spare peers each worker keeps booted with `defaults`, handed to a test's `peer` (or a start
   * with no options of its own) instead of a boot. Default 0 (see the README, "Warm peers").
   */
  warm?: number
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const REPORTER = here('./reporter.mjs')
const TAP_REPORTER = here('./tap-reporter.mjs')

/** The vitest-peer plugin for `vitest.config.ts`. */
export function vitestPeer(options: VitestPeerPluginOptions = {}): Plugin {
  return {
    name: 'vitest-peer',
    config() {
      return {
        test: {
          setupFiles: [here('./setup.mjs')],
          globalSetup: options.safetyNet === false ? [] : [here('./global-setup.mjs')],
          // Test locations let the failure report point at the test (GitHub Actions annotations need one).
          includeTaskLocation: true,
        },
      }
    },
    configureVitest({ vitest, project }) {
      // No registry yet: the safety net's globalSetup adds this run's folder.
      const provided: ProvidedConfig = {
        defaults: options.defaults ?? {},
        outDir: resolve(project.config.root, options.outDir ?? DEFAULT_OUT_DIR),
        root: project.config.root,
        warm: options.warm ?? 0,
        coverage: setUpPeerCoverage(vitest),
      }
      project.provide('vitestPeer', provided)
      const reporters = vitest.config.reporters as unknown[]
      // Vitest's TAP reporters write multi-line messages (every failure report) as YAML that
      // folds them onto one line; tap-reporter.ts writes the same output with valid YAML.
      for (const [i, reporter] of reporters.entries()) {
        const [name, reporterOptions] = Array.isArray(reporter) ? reporter : [reporter, {}]
        if (name === 'tap' || name === 'tap-flat')
          reporters[i] = [TAP_REPORTER, { ...reporterOptions, flat: name === 'tap-flat' }]
      }
      if (options.safetyNet === false) return
      const present = reporters.some((r) => (Array.isArray(r) ? r[0] : r) === REPORTER)
      if (!present) reporters.push([REPORTER, {}])
    },
  }
}

export default vitestPeer
