// Vitest worker side: the peers of one test (one try of it). Starts them (launch.ts), stops every
// one before the test ends (pass, fail, throw, timeout, skip, bail), fails the test when a
// `peerDown: 'crash'` peer dies, and attaches the failure report (report.ts).
import type { Peer, PeerState } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import { TestEndedError } from '../errors.js'
import { readCmdline, readStat } from '../shared/proc.js'
import type { PeerReport, VitestPeerOptions } from '../shared/types.js'
import type { CrashReportDir } from './crash-reports.js'
import { type Launched, launchPeer } from './launch.js'
import { fullName } from './naming.js'
import { mergeOptions } from './options.js'
import { OutputCapture } from './output.js'
import { describePeer, diagnosticsError, pointAtTest } from './report.js'
import { type ProjectSettings, projectSettings } from './settings.js'

/** A peer of the test, with what vitest-peer keeps about it. */
interface Member {
  peer: Peer
  output: OutputCapture
  reports: CrashReportDir | null
  /** The stack where the test started it, for the report's location. */
  startSite: string[]
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

export class PeerGroup {
  closed = false
  private readonly members: Member[] = []
  private readonly pending = new Set<Promise<unknown>>()
  private readonly crashes: { error: Error; member: Member }[] = []
  private readonly controller = new AbortController()
  private readonly settings: ProjectSettings
  private finished: Promise<void> | undefined
  private reports: PeerReport[] = []

  constructor(
    private readonly task: RunnerTestCase,
    readonly tryKey: string,
  ) {
    this.settings = projectSettings(task)
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
    const options = mergeOptions(this.settings.defaults, ...layers)
    const flow = launchPeer(options, this.task, this.settings, this.controller.signal).then((launched) =>
      this.adopt(launched, startSite),
    )
    this.pending.add(flow)
    const forget = () => this.pending.delete(flow)
    flow.then(forget, forget)
    return flow
  }

  private async adopt({ peer, reports, echo }: Launched, startSite: string[]): Promise<Peer> {
    const member: Member = { peer, output: new OutputCapture(peer, echo), reports, startSite }
    this.members.push(member)
    // With `peerDown: 'crash'` the engine emits 'error' on an unexpected loss; kept to fail the test.
    peer.on('error', (error) => this.crashes.push({ error, member }))
    this.record(peer)
    if (this.closed) {
      // The test ended while this peer booted: it must not outlive the test.
      await peer.stop()
      throw new TestEndedError(fullName(this.task))
    }
    return peer
  }

  /** Record the peer in the run's registry (the safety net kills it if it outlives its test). */
  private record(peer: Peer): void {
    if (peer.pid === 0) return
    this.settings.registry.add({
      pid: peer.pid,
      startTime: readStat(peer.pid)?.startTime ?? null,
      cmdline: readCmdline(peer.pid),
      name: peer.name,
      worker: process.pid,
      testId: this.task.id,
      file: this.task.file.name,
      test: fullName(this.task),
    })
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
    for (const { peer, output } of this.members) {
      this.settings.registry.remove(peer.pid)
      output.printUnder(this.task)
    }
    this.reports = this.members.map(({ peer, atEnd, reports }) =>
      describePeer(peer, atEnd ?? 'booting', reports?.reportsOf(peer.pid) ?? []),
    )
    for (const { reports } of this.members) reports?.removeIfEmpty()
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
