// Vitest worker side: one start of a peer for a test. Turns vitest-peer's options into the
// engine's `startPeer` options: the Common Test name, the crash-report flags, the TypeScript
// preload, and the test's abort signal.
import { type Peer, startPeer } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import type { VitestPeerOptions } from '../shared/types.js'
import { CrashReportDir } from './crash-reports.js'
import { buildPeerName } from './naming.js'
import { splitOptions } from './options.js'
import type { ProjectSettings } from './settings.js'
import { preloadArgs } from './typescript.js'

/** A started peer, with what vitest-peer keeps about its start. */
export interface Launched {
  peer: Peer
  /** Where its Node diagnostic reports go; null behind an `exec` wrapper. */
  reports: CrashReportDir | null
  echo: boolean
  typescript: 'auto' | 'preload' | false
}

/** Start a peer for `task` with the merged `options`; `signal` (the test's) stops it. */
export async function launchPeer(
  options: VitestPeerOptions,
  task: RunnerTestCase,
  settings: ProjectSettings,
  signal: AbortSignal,
): Promise<Launched> {
  const { core, extra } = splitOptions(options)
  const args = [...(core.args ?? [])]
  let reports: CrashReportDir | null = null
  // Only for a Node binary started directly: behind a wrapper (ssh, docker) the peer's files are not ours.
  if (!Array.isArray(core.exec)) {
    reports = CrashReportDir.create(settings.outDir, task)
    args.unshift(...reports.nodeArgs())
    if (extra.typescript === 'preload') args.unshift(...preloadArgs())
  }
  try {
    const peer = await startPeer({
      ...core,
      name: core.name ?? buildPeerName(task.file.name, task.name),
      args,
      signal: core.signal ? AbortSignal.any([signal, core.signal]) : signal,
    })
    return { peer, reports, echo: extra.echo, typescript: extra.typescript }
  } catch (error) {
    reports?.removeIfEmpty()
    throw error
  }
}
