// Vitest main process: the plugin's part in a coverage run. When the run collects coverage, it adds
// the reporter that merges the peers' coverage (reporter.ts) and, with the v8 provider, names the
// folder the workers hand to their peers as NODE_V8_COVERAGE. Without coverage it does nothing:
// peers start exactly as they would without it.
import { fileURLToPath } from 'node:url'
import type { Vitest } from 'vitest/node'
import { coverageFolder, removeAbandonedFolders } from './folder.js'

const REPORTER = fileURLToPath(new URL('./coverage-reporter.mjs', import.meta.url))

/** Called for each project the plugin configures; returns the peers' coverage folder, or undefined. */
export function setUpPeerCoverage(vitest: Vitest): string | undefined {
  const { enabled, provider } = vitest.config.coverage
  if (!enabled) return undefined
  // One reporter and one folder per run, whichever project comes first.
  const reporters = vitest.config.reporters as unknown[]
  const present = reporters.find((r): r is [string, { folder: string }] => Array.isArray(r) && r[0] === REPORTER)
  let folder = present?.[1].folder
  if (folder === undefined) {
    removeAbandonedFolders()
    folder = coverageFolder()
    reporters.push([REPORTER, { folder }])
  }
  // Other providers get the reporter's note only: their coverage cannot take the peers' (README).
  return provider === 'v8' ? folder : undefined
}
