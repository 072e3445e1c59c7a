// Vitest worker side: one start of a peer for a test. Turns vitest-peer's options into the
// engine's `startPeer` options: the Common Test name, the crash-report flags, the module
// resolver (the peer finds modules as the test file does; TypeScript), the coverage folder, the
// test's signal, and the cookie that marks the processes the peer starts (shared/descendants.ts).
import { dirname } from 'node:path'
import { type Peer, PeerOptionsError, startPeer } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import { COOKIE_ENV } from '../constants.js'
import { cookieVariable, newCookie } from '../shared/descendants.js'
import type { ResolverData } from '../shared/resolver-data.js'
import { findTranspiler } from '../shared/transpiler.js'
import type { VitestPeerOptions } from '../shared/types.js'
import { CrashReportDir } from './crash-reports.js'
import { buildPeerName } from './naming.js'
import { splitOptions } from './options.js'
import type { ProjectSettings } from './settings.js'
import { preloadArgs } from './typescript.js'

/** The peer-side module resolver (src/peer/resolve.ts), built next to this file. */
const RESOLVER = new URL('./resolve.mjs', import.meta.url)

/** A started peer, with what vitest-peer keeps about its start. */
export interface Launched {
  peer: Peer
  /** Where its Node diagnostic reports go; null behind an `exec` wrapper. */
  reports: CrashReportDir | null
  echo: boolean
  /** The token in its environment and its descendants'. */
  cookie: string
}

/**
 * Start a peer for `task` with the merged `options`; `signal` (the test's) stops it. Relative
 * specifiers resolve against `base` (default: the test file's folder).
 */
export async function launchPeer(
  options: VitestPeerOptions,
  task: RunnerTestCase,
  settings: ProjectSettings,
  signal: AbortSignal,
  base: string = dirname(task.file.filepath),
): Promise<Launched> {
  const { core, extra } = splitOptions(options)
  if (core.moduleResolver !== undefined) {
    throw new PeerOptionsError(
      'moduleResolver',
      core.moduleResolver,
      "none: vitest-peer gives each peer its own resolver (modules found as the test file's imports find them, TypeScript); use @vitest-peer/core's startPeer for a peer with another one",
    )
  }
  const args = [...(core.args ?? [])]
  let reports: CrashReportDir | null = null
  // Only for a Node binary started directly: behind a wrapper (ssh, docker) the peer's files are not ours.
  if (!Array.isArray(core.exec)) {
    reports = CrashReportDir.create(settings.outDir, task)
    args.unshift(...reports.nodeArgs())
    if (extra.typescript === 'preload') args.unshift(...preloadArgs())
  }
  const data: ResolverData = {
    base,
    root: settings.root,
    typescript: extra.typescript,
    transpiler: extra.typescript === 'auto' ? findTranspiler() : null,
  }
  const cookie = newCookie()
  try {
    const peer = await startPeer({
      ...core,
      name: core.name ?? buildPeerName(task.file.name, task.name),
      // A coverage run: Node writes the peer's V8 coverage into the run's folder when the peer
      // exits (https://nodejs.org/api/cli.html#node_v8_coveragedir). An `env` of the test's own wins.
      env: {
        ...(settings.coverage === undefined ? {} : { NODE_V8_COVERAGE: settings.coverage }),
        ...core.env,
        [COOKIE_ENV]: cookieVariable(cookie),
      },
      args,
      signal: core.signal ? AbortSignal.any([signal, core.signal]) : signal,
      moduleResolver: { module: RESOLVER, data },
    })
    return { peer, reports, echo: extra.echo, cookie }
  } catch (error) {
    reports?.removeIfEmpty()
    throw error
  }
}
