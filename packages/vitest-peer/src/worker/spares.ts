// Vitest worker side: warm peers (the plugin's `warm`). The worker keeps that many spare peers
// booted with the project's default options, each with its module loader already used once, and
// a test's `peer` (or a start that adds no option of its own) is handed one instead of waiting for
// a boot. A spare goes to one test only: it is renamed to that test's name and its crash reports
// go to that test's folder before the test sees it, and a new spare is started in its place.
// Spares are linked to the worker like any peer and die with it.
import { dirname } from 'node:path'
import { renamePeer } from '@vitest-peer/core'
import { expect, type RunnerTestCase } from 'vitest'
import { SPARE_REPORTS } from '../constants.js'
import { SPARE_OWNER } from '../shared/registry.js'
import type { VitestPeerOptions } from '../shared/types.js'
import { CrashReportDir } from './crash-reports.js'
import { type Launched, launchPeer } from './launch.js'
import { buildPeerName } from './naming.js'
import { recordOwned } from './record.js'
import { type ProjectSettings, projectSettings } from './settings.js'

/** A spare booting or booted, for test files in `base`. */
interface Spare {
  ready: Promise<Launched | undefined>
  base: string
}

// Process-wide: the setup file and the test files may get separate instances of this module.
const POOL = Symbol.for('vitest-peer.spares')
type PoolHolder = { [POOL]?: Spare[] }
const pool = (): Spare[] => {
  const holder = globalThis as PoolHolder
  holder[POOL] ??= []
  return holder[POOL]
}

/** Boot spares up to `settings.warm` for the test file now starting (the setup file calls it). */
export function warmSpares(): void {
  const filepath = expect.getState().testPath
  if (filepath === undefined) return
  const settings = projectSettings(spareOwner(filepath))
  const base = dirname(filepath)
  const spares = pool()
  // Spares resolve modules against one folder: those for another folder's files are stopped.
  for (const spare of spares.splice(0)) {
    if (spare.base === base) spares.push(spare)
    else void spare.ready.then((launched) => launched?.peer.stop())
  }
  while (spares.length < (settings.warm ?? 0)) spares.push(bootSpare(filepath, settings))
}

/** What launch.ts names a spare after (`spare-warm-<n>-<pid>`) and files its crash reports under. */
function spareOwner(filepath: string): RunnerTestCase {
  return {
    name: SPARE_REPORTS.test,
    file: { name: SPARE_REPORTS.file, filepath },
    suite: undefined,
  } as unknown as RunnerTestCase
}

function bootSpare(filepath: string, settings: ProjectSettings): Spare {
  const owner = spareOwner(filepath)
  const base = dirname(filepath)
  const ready = launchPeer({ ...settings.defaults }, owner, settings, new AbortController().signal, base).then(
    async (launched) => {
      const { peer } = launched
      recordOwned(settings.registry, launched, `${SPARE_OWNER}${process.pid}`, owner.file.name, 'a spare peer (warm)')
      // The first import() starts Node's ESM loader and the module resolver: done here, not in the test.
      await peer.call('node:os', 'platform')
      return launched
    },
    () => undefined,
  )
  return { ready, base }
}

/**
 * A spare for `task` when its start adds nothing to the project defaults (`layers` all empty) and
 * one is ready or booting for its folder; undefined otherwise (the caller boots a peer).
 */
export function takeSpare(
  task: RunnerTestCase,
  settings: ProjectSettings,
  layers: (VitestPeerOptions | undefined)[],
  base: string | undefined,
): Promise<Launched | undefined> | undefined {
  if (!settings.warm || layers.some((layer) => layer !== undefined && Object.keys(layer).length > 0)) return undefined
  const folder = base ?? dirname(task.file.filepath)
  const spares = pool()
  const index = spares.findIndex((s) => s.base === folder)
  if (index === -1) return undefined
  const [spare] = spares.splice(index, 1)
  // The replacement boots once this spare has taken its new name and folder: its spawn() (a fork
  // of this worker) and its start would otherwise compete with the hand-over the test waits for.
  const replace = () => {
    spares.push(bootSpare(task.file.filepath, settings))
  }
  // A spare that failed to boot or died meanwhile: undefined, and the caller boots a peer.
  return spare!.ready.then((launched) => {
    const handed = launched && handOver(launched, task, settings)
    if (handed === undefined) replace()
    else void handed.acknowledged.then(replace)
    return handed?.launched
  })
}

/**
 * Give `launched` to `task`: its name, its crash-report folder. Both are sent, not awaited: the
 * control connection keeps order, so the peer has them before it handles anything the test sends
 * it, and `peer.name` is the test's at once. `acknowledged` settles when the peer has answered
 * both; if the peer went down meanwhile, the test finds it down. The spares' shared report folder
 * stays (other spares use it); the run's end removes it.
 */
function handOver(
  launched: Launched,
  task: RunnerTestCase,
  settings: ProjectSettings,
): { launched: Launched; acknowledged: Promise<void> } | undefined {
  const { peer } = launched
  if (peer.state !== 'running') return undefined
  const reports = launched.reports === null ? null : CrashReportDir.create(settings.outDir, task)
  const acknowledged = Promise.all([
    renamePeer(peer, buildPeerName(task.file.name, task.name)),
    reports &&
      peer.evaluate((dir: string) => {
        process.report.directory = dir
      }, reports.path),
  ]).then(
    () => {},
    () => {},
  )
  return { launched: { ...launched, reports }, acknowledged }
}
