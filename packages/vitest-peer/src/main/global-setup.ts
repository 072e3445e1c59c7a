// Vitest main process: the plugin's globalSetup, once per project. Reaps peers left by earlier
// runs whose main process died, opens this run's registry, and at the end of the run kills
// whatever peer is still recorded (a leak: it outlived its test).
import { mkdirSync, rmdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { PROVIDE_KEY } from '../constants.js'
import { describeLeak, reapDeadRuns, runFolder, sweep } from '../shared/registry.js'
import type { ProvidedConfig } from '../shared/types.js'
import { sanitizeProjectName } from './project.js'

export default function setup(project: TestProject): () => void {
  const provided = project.getProvidedContext() as Record<string, unknown>
  const config = provided[PROVIDE_KEY] as ProvidedConfig | undefined
  if (!config || config.registry === null) return () => {}
  for (const record of reapDeadRuns()) {
    process.stderr.write(
      `vitest-peer: reaped peer ${record.name} (pid ${record.pid}) left running by an earlier Vitest run that died\n`,
    )
  }
  const run = runFolder()
  const folder = join(run, sanitizeProjectName(project.name))
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  ;(project.provide as (key: string, value: unknown) => void)(PROVIDE_KEY, { ...config, registry: folder })
  return function teardown() {
    for (const record of sweep(folder, () => true))
      process.stderr.write(`${describeLeak(record, 'at the end of the run')}\n`)
    rmSync(folder, { recursive: true, force: true })
    // The run folder goes with its last project (other projects may still use it).
    try {
      rmdirSync(run)
    } catch {}
  }
}
