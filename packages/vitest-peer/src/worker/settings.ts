// Vitest worker side: the project's peer settings. The plugin provides them
// (`inject('vitestPeer')`); without it, a test gets defaults next to its project root.
import { resolve } from 'node:path'
import { inject, type RunnerTestCase } from 'vitest'
import { DEFAULT_OUT_DIR } from '../constants.js'
import type { ProvidedConfig } from '../shared/provided.js'
import { type Registry, registryAt } from '../shared/registry.js'
import type { SerializablePeerOptions } from '../shared/types.js'

export interface ProjectSettings {
  /** Defaults for every peer of the project (the plugin's `defaults`). */
  defaults: SerializablePeerOptions
  /** Absolute folder for the peers' Node diagnostic reports. */
  outDir: string
  /** The project's root, which Vite's root-relative module ids start from. */
  root: string
  /** Where this run records its live peers; the disabled registry without the safety net. */
  registry: Registry
  /** Spare peers kept booted per worker (the plugin's `warm`). */
  warm?: number
  /** Where peers write their V8 coverage; absent when the run collects none from them. */
  coverage?: string
}

/** What the plugin provided to this worker; undefined without the plugin. */
export function providedConfig(): ProvidedConfig | undefined {
  return inject('vitestPeer')
}

/** The settings of `task`'s project. */
export function projectSettings(task: RunnerTestCase): ProjectSettings {
  const provided = providedConfig()
  if (provided !== undefined) return { ...provided, registry: registryAt(provided.registry) }
  const root = projectRoot(task)
  return { defaults: {}, outDir: resolve(root, DEFAULT_OUT_DIR), root, registry: registryAt(undefined) }
}

/** A test file's name is its path relative to the project root: the root is what comes before it. */
function projectRoot(task: RunnerTestCase): string {
  const { filepath, name } = task.file
  return filepath.endsWith(name) ? filepath.slice(0, filepath.length - name.length) || '/' : process.cwd()
}
