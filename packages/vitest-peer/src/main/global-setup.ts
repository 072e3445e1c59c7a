// Vitest main process: the plugin's globalSetup, once per project. Reaps peers left by earlier
// runs whose main process died, opens this run's registry, starts the run's janitor (which ends
// the recorded peers if this process dies), and at the end of the run kills whatever peer is
// still recorded (a leak: it outlived its test).
import { mkdirSync, rmdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { SPARE_REPORTS } from '../constants.js'
import type { ProvidedConfig } from '../shared/provided.js'
import { describeLeak, describeReaped, reapDeadRuns, runFolder, SPARE_OWNER, sweep } from '../shared/registry.js'
import { sanitizeProjectName } from './project.js'
import { runJanitor } from './run-janitor.js'

export default function setup(project: TestProject): () => void {
  // The plugin adds this globalSetup only with the safety net on, and provides the config first.
  const config: ProvidedConfig | undefined = project.getProvidedContext().vitestPeer
  if (config === undefined) return () => {}
  for (const swept of reapDeadRuns()) process.stderr.write(`${describeReaped(swept)}\n`)
  const run = runFolder()
  const folder = join(run, sanitizeProjectName(project.name))
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  const janitor = runJanitor(run)
  project.provide('vitestPeer', { ...config, registry: folder })
  return function teardown() {
    for (const record of sweep(folder, () => true)) {
      if (!record.testId.startsWith(SPARE_OWNER))
        process.stderr.write(`${describeLeak(record, 'at the end of the run')}\n`)
    }
    rmSync(folder, { recursive: true, force: true })
    // The spares' shared report folder, if nothing was written there.
    for (const dir of [
      join(config.outDir, SPARE_REPORTS.file, SPARE_REPORTS.test),
      join(config.outDir, SPARE_REPORTS.file),
    ]) {
      try {
        rmdirSync(dir)
      } catch {}
    }
    // The run folder goes with its last project (other projects may still use it), and the
    // janitor with it.
    try {
      rmdirSync(run)
      janitor.release()
    } catch {}
  }
}
