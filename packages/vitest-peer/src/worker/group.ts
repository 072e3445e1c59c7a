// Vitest worker side: the peers of one test (one try of it). Starts them with the Common Test
// conventions, stops every one before the test ends (pass, fail, throw, timeout, skip, bail),
// fails the test when a `peerDown: 'crash'` peer dies, and attaches the failure report.
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Peer, type PeerState, startPeer as startEnginePeer } from '@vitest-peer/core'
import { inject, type RunnerTestCase } from 'vitest'
import { DEFAULT_OUT_DIR, PROVIDE_KEY } from '../constants.js'
import { TestEndedError } from '../errors.js'
import { readCmdline, readStat } from '../shared/proc.js'
import { removeRecord, writeRecord } from '../shared/registry.js'
import type { PeerReport, ProvidedConfig, VitestPeerOptions } from '../shared/types.js'
import { buildPeerName, sanitize } from './naming.js'
import { mergeOptions, splitOptions } from './options.js'
import { OutputLog } from './output.js'
import { describePeer, diagnosticsError } from './report.js'
import { preloadArgs, TypeScriptSupport } from './typescript.js'

/** A peer with what vitest-peer keeps about it. */
interface Member {
  peer: Peer
  log: OutputLog
  reportDir: string | null
  /** The stack where the test started it, for the report's location. */
  startSite: string[]
  registered: boolean
  /** Its state when the test ended (its signal aborted, or teardown began). */
  atEnd?: PeerState
}

const GROUP = Symbol.for('vitest-peer.group')
type GroupHolder = { [GROUP]?: PeerGroup }

/** The peers of `task`'s current try, created on first use; a retry gets a fresh group. */
export function groupOf(task: RunnerTestCase): PeerGroup {
  const holder = task.context as unknown as GroupHolder
  const tryKey = `${task.result?.retryCount ?? 0}:${task.result?.repeatCount ?? 0}`
  const existing = holder[GROUP]
  if (existing !== undefined && (!existing.closed || existing.tryKey === tryKey)) return existing
  const group = new PeerGroup(task, tryKey)
  holder[GROUP] = group
  return group
}

/** The project's settings from the plugin; without it, defaults next to the project root. */
function projectConfig(task: RunnerTestCase): ProvidedConfig {
  const provided = (inject as (key: string) => unknown)(PROVIDE_KEY) as ProvidedConfig | undefined
  // An empty registry means the plugin's globalSetup did not run (safety net off or failed).
  if (provided) return { ...provided, registry: provided.registry || null }
  const { filepath, name } = task.file
  const root = filepath.endsWith(name) ? filepath.slice(0, filepath.length - name.length) : process.cwd()
  return { defaults: {}, outDir: resolve(root, DEFAULT_OUT_DIR), registry: null }
}

/** The full name of a test: `describe > test`. */
export function fullName(task: RunnerTestCase): string {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== (task.file as unknown); suite = suite.suite) {
    if (suite.name) names.unshift(suite.name)
  }
  return names.join(' > ')
}

export class PeerGroup {
  closed = false
  private readonly members: Member[] = []
  private readonly pending = new Set<Promise<unknown>>()
  private readonly crashes: { error: Error; member: Member }[] = []
  private readonly controller = new AbortController()
  private readonly config: ProvidedConfig
  private finished: Promise<void> | undefined
  private reports: PeerReport[] = []

  constructor(
    private readonly task: RunnerTestCase,
    readonly tryKey: string,
  ) {
    this.config = projectConfig(task)
    const { context } = task
    // At a timeout or a bail Vitest aborts the test's signal but keeps running its body: the
    // peers are stopped now, and any later start is refused.
    const onAbort = () => {
      this.noteStates()
      this.controller.abort(context.signal.reason)
    }
    if (context.signal.aborted) onAbort()
    else context.signal.addEventListener('abort', onAbort, { once: true })
    // onTestFinished runs after every fixture teardown, so fixtures built on a peer can still
    // use it while they tear down. A crash error thrown there fails the test; onTestFailed runs
    // after it and attaches the report.
    context.onTestFinished(() => this.finish())
    context.onTestFailed(() => this.report())
  }

  /** Start a peer for this test. `layers` are option layers, earliest first, above the project defaults. */
  start(...layers: (VitestPeerOptions | undefined)[]): Promise<Peer> {
    if (this.closed || this.controller.signal.aborted) return Promise.reject(new TestEndedError(fullName(this.task)))
    const startSite = (new Error().stack ?? '').split('\n').slice(1)
    const flow = this.launch(mergeOptions(this.config.defaults, ...layers), startSite)
    this.pending.add(flow)
    const forget = () => this.pending.delete(flow)
    flow.then(forget, forget)
    return flow
  }

  private async launch(options: VitestPeerOptions, startSite: string[]): Promise<Peer> {
    const { core, extra } = splitOptions(options)
    const task = this.task
    const name = core.name ?? buildPeerName(task.file.name, task.name)
    const args = [...(core.args ?? [])]
    let reportDir: string | null = null
    if (!Array.isArray(core.exec)) {
      // Node diagnostic reports of a crash land in <outDir>/<test file>/<test name>/ (SPEC 2.2).
      // Only when the peer is Node started directly: behind a wrapper (ssh, docker) the folder is not ours.
      reportDir = join(this.config.outDir, task.file.name, sanitize(fullName(task)))
      mkdirSync(reportDir, { recursive: true })
      args.unshift('--report-on-fatalerror', '--report-uncaught-exception', `--report-directory=${reportDir}`)
      if (extra.typescript === 'preload') args.unshift(...preloadArgs())
    }
    const signal = core.signal ? AbortSignal.any([this.controller.signal, core.signal]) : this.controller.signal
    let peer: Peer
    try {
      peer = await startEnginePeer({ ...core, name, args, signal })
    } catch (error) {
      if (reportDir) removeEmptyDirs(reportDir, this.config.outDir)
      throw error
    }
    const member: Member = {
      peer,
      log: new OutputLog(peer.name, extra.echo ?? false),
      reportDir,
      startSite,
      registered: false,
    }
    this.members.push(member)
    this.adopt(member, extra.typescript ?? 'auto')
    if (this.closed) {
      // The test ended while this peer booted: it must not outlive the test.
      await peer.stop()
      throw new TestEndedError(fullName(task))
    }
    return peer
  }

  private adopt(member: Member, typescript: 'auto' | 'preload' | false): void {
    const { peer, log } = member
    // With `peerDown: 'crash'` the engine emits 'error' on an unexpected loss; kept to fail the test.
    peer.on('error', (error) => this.crashes.push({ error, member }))
    if (peer.output !== '') log.push(peer.output, 'stdout')
    peer.on('output', (text, stream) => log.push(text, stream))
    this.register(member)
    wrapModuleCalls(peer, dirname(this.task.file.filepath), new TypeScriptSupport(peer, typescript))
  }

  private register(member: Member): void {
    const { registry } = this.config
    const pid = member.peer.pid
    if (registry === null || pid === 0) return
    const task = this.task
    try {
      writeRecord(registry, {
        pid,
        startTime: readStat(pid)?.startTime ?? null,
        cmdline: readCmdline(pid),
        name: member.peer.name,
        worker: process.pid,
        testId: task.id,
        file: task.file.name,
        test: fullName(task),
      })
      member.registered = true
    } catch {}
  }

  /** Stop every peer and wait until each is gone; print their output under the test. Never throws, except the crash error. */
  finish(): Promise<void> {
    this.finished ??= this.runFinish()
    return this.finished
  }

  /** Remember each peer's state the first time the test is seen to end, for the report. */
  private noteStates(): void {
    for (const member of this.members) member.atEnd ??= member.peer.state
  }

  private async runFinish(): Promise<void> {
    this.closed = true
    this.noteStates()
    this.controller.abort(new TestEndedError(fullName(this.task)))
    // Starts still in flight end (aborted) or finish booting; either way they are awaited.
    await Promise.allSettled([...this.pending])
    await Promise.allSettled(this.members.map(({ peer }) => peer.stop().then(() => peer.exited)))
    for (const member of this.members) {
      if (member.registered && this.config.registry !== null) removeRecord(this.config.registry, member.peer.pid)
      member.log.printUnder(this.task)
    }
    this.reports = this.members.map((m) => describePeer(m.peer, m.atEnd ?? 'booting', crashReports(m)))
    for (const member of this.members) if (member.reportDir) removeEmptyDirs(member.reportDir, this.config.outDir)
    const crash = this.crashes[0]
    if (crash !== undefined) throw pointAtTest(crash.error, crash.member.startSite, this.task.file.filepath)
  }

  /** onTestFailed: the report goes to `task.meta` (JSON reporter) and into an error (terminal, JUnit, GitHub). */
  private async report(): Promise<void> {
    await this.finish().catch(() => {})
    if (this.reports.length === 0) return
    this.task.meta.vitestPeer = { peers: this.reports }
    throw diagnosticsError(
      this.task,
      this.reports,
      this.members.flatMap((m) => m.startSite),
    )
  }
}

/**
 * Make `call`, `cast` and `module` resolve relative specifiers against the test file's folder (as
 * the test's own imports do, SPEC 2.2) and install TypeScript support before a `.ts` module.
 */
function wrapModuleCalls(peer: Peer, baseDir: string, typescript: TypeScriptSupport): void {
  const call = peer.call.bind(peer)
  const cast = peer.cast.bind(peer)
  const toSpecifier = (module: string | URL): string => {
    const text = typeof module === 'string' ? module : module.href
    return text.startsWith('./') || text.startsWith('../') ? pathToFileURL(resolve(baseDir, text)).href : text
  }
  Object.defineProperty(peer, 'call', {
    configurable: true,
    value: (module: string | URL, fn: string, args?: unknown[], options?: { timeout?: number }) => {
      const specifier = toSpecifier(module)
      const ready = typescript.ensure(specifier)
      return ready === null ? call(specifier, fn, args, options) : ready.then(() => call(specifier, fn, args, options))
    },
  })
  Object.defineProperty(peer, 'cast', {
    configurable: true,
    value: (module: string | URL, fn: string, args?: unknown[]) => {
      const specifier = toSpecifier(module)
      const ready = typescript.ensure(specifier)
      // Without TypeScript to install, cast at once: casts and sends keep their order.
      if (ready === null) cast(specifier, fn, args)
      else
        ready.then(
          () => cast(specifier, fn, args),
          () => {},
        )
    },
  })
}

/**
 * Put the test-file frame where the peer was started first in `error`'s stack, so reporters that
 * show or need one location (the terminal's code frame, GitHub annotations) point at the test.
 */
function pointAtTest(error: Error, startSite: string[], file: string): Error {
  const frame = startSite.find((line) => line.includes(file))
  if (frame === undefined || error.stack === undefined) return error
  const lines = error.stack.split('\n')
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line))
  if (firstFrame === -1) lines.push(frame)
  else lines.splice(firstFrame, 0, frame)
  error.stack = lines.join('\n')
  return error
}

/** Node report files of `member`'s process (`report.<date>.<time>.<pid>.<tid>.<seq>.json`). */
function crashReports(member: Member): string[] {
  if (member.reportDir === null) return []
  const pattern = new RegExp(`^report\\.\\d+\\.\\d+\\.${member.peer.pid}\\.\\d+\\.\\d+\\.json$`)
  try {
    return readdirSync(member.reportDir)
      .filter((f) => pattern.test(f))
      .map((f) => join(member.reportDir!, f))
  } catch {
    return []
  }
}

/** Remove `dir` and its parents up to (not including) `root` while they are empty. */
function removeEmptyDirs(dir: string, root: string): void {
  for (
    let current = dir;
    current.startsWith(root + sep) && relative(root, current) !== '';
    current = dirname(current)
  ) {
    try {
      rmdirSync(current)
    } catch {
      return
    }
  }
}

declare module 'vitest' {
  interface TaskMeta {
    /** vitest-peer's failure report: every peer of a failed test (absent for passing tests). */
    vitestPeer?: { peers: PeerReport[] }
  }
}
