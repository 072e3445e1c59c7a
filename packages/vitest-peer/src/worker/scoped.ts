// Vitest worker side: peers shared by a test file or by a worker (`peerFixture` with
// `scope: 'file' | 'worker'`). One start per scope, stopped when Vitest tears the scope's fixture
// down (with what it left running), recorded in the run's registry like a test's peers, and
// attached to the failure report of every test of the scope that fails while it is alive (the
// setup file asks, see `reportScoped`).
import { relative } from 'node:path'
import type { Peer } from '@vitest-peer/core'
import { expect, type RunnerTestCase } from 'vitest'
import { processesNow } from '../shared/descendants.js'
import { readStat } from '../shared/proc.js'
import type { PeerReport, VitestPeerOptions } from '../shared/types.js'
import type { CrashReportDir } from './crash-reports.js'
import { endEscaped } from './escaped.js'
import { launchPeer } from './launch.js'
import { mergeOptions } from './options.js'
import { OutputCapture } from './output.js'
import { recordOwned } from './record.js'
import { describePeer, diagnosticsError } from './report.js'
import { projectSettings } from './settings.js'

/** A scope wider than one test. */
export type SharedScope = 'file' | 'worker'

/** A live scoped peer. */
interface ScopedPeer {
  peer: Peer
  scope: SharedScope
  /** The test file whose scope owns it (file scope); every test of the worker sees a worker-scoped peer. */
  filepath: string
  reports: CrashReportDir | null
  startSite: string[]
}

// Process-wide: the setup file and the test files may get separate instances of this module.
const LIVE = Symbol.for('vitest-peer.scopedPeers')
type LiveHolder = { [LIVE]?: Set<ScopedPeer> }
const live = (): Set<ScopedPeer> => {
  const holder = globalThis as LiveHolder
  holder[LIVE] ??= new Set()
  return holder[LIVE]
}

/** What Vitest tells a scoped fixture about where it runs: the current test when there is one. */
export interface ScopeSite {
  task: RunnerTestCase | undefined
  /** Folder that relative specifiers resolve against: that of the file defining the fixture. */
  base: string | undefined
}

/**
 * Start the peer of a file or worker scope, hand it to `use` (Vitest holds it there until the
 * scope ends), then stop it and wait until it is gone.
 */
export async function runScopedPeer(
  scope: SharedScope,
  label: string,
  options: VitestPeerOptions,
  setup: ((peer: Peer) => unknown) | undefined,
  site: ScopeSite,
  use: (peer: Peer) => Promise<void>,
): Promise<void> {
  const filepath = site.task?.file.filepath ?? expect.getState().testPath ?? ''
  const anyTask = site.task ?? ({ file: { name: filepath, filepath } } as RunnerTestCase)
  const settings = projectSettings(anyTask)
  const fileName = site.task?.file.name ?? relative(settings.root, filepath)
  // The engine side (launch.ts) names a peer and files its crash reports after a test; a scoped
  // peer is named after its scope: `<file stem>-<label>` or `worker-<label>`.
  const owner = {
    name: label,
    file: { name: scope === 'worker' ? 'worker' : fileName, filepath },
    suite: undefined,
  } as unknown as RunnerTestCase
  const controller = new AbortController()
  const startSite = (new Error().stack ?? '').split('\n').slice(1)
  const earlier = processesNow()
  const launched = await launchPeer(
    mergeOptions(settings.defaults, options),
    owner,
    settings,
    controller.signal,
    site.base,
  )
  const { peer, reports, echo, cookie } = launched
  const entry: ScopedPeer = { peer, scope, filepath, reports, startSite }
  const recordAs = {
    testId: scope === 'worker' ? `worker:${process.pid}` : (site.task?.file.id ?? filepath),
    test: `${scope} scope (${label})`,
  }
  let crash: Error | undefined
  // The scope owns the peer and every successor a `restart()` starts (same name and options);
  // the fixture's value stays the first one.
  const adopt = (current: Peer) => {
    new OutputCapture(current, echo)
    current.on('error', (error) => {
      crash ??= error
    })
    current.once('restart', (next) => {
      settings.registry.remove(current.pid)
      entry.peer = next
      adopt(next)
    })
    recordOwned(settings.registry, { peer: current, cookie }, recordAs.testId, fileName, recordAs.test)
  }
  adopt(peer)
  live().add(entry)
  try {
    if (setup) await setup(peer)
    await use(peer)
  } finally {
    live().delete(entry)
    controller.abort()
    const last = entry.peer
    await last.stop()
    await last.exited
    const startTime = last.pid === 0 ? null : (readStat(last.pid)?.startTime ?? null)
    await endEscaped(
      [{ name: last.name, cookie, startTime }],
      `its ${scope} scope`,
      (text) => console.error(text),
      earlier,
    )
    settings.registry.remove(last.pid)
    reports?.removeIfEmpty()
  }
  if (crash !== undefined) throw crash
}

/**
 * onTestFailed, for every test: attach the scoped peers alive in its scope to its failure report
 * (`task.meta`, and an error for the terminal, JUnit and GitHub).
 */
export function reportScoped(task: RunnerTestCase): void {
  const mine = [...live()].filter((s) => s.scope === 'worker' || s.filepath === task.file.filepath)
  if (mine.length === 0) return
  const peers: PeerReport[] = mine.map(({ peer, reports }) =>
    describePeer(peer, peer.state, reports?.reportsOf(peer.pid) ?? []),
  )
  task.meta.vitestPeer = { peers: [...(task.meta.vitestPeer?.peers ?? []), ...peers] }
  throw diagnosticsError(
    task,
    peers,
    mine.flatMap((s) => s.startSite),
  )
}
