// Vitest worker side: the peers and proxies of one test (one try of it). Starts them (launch.ts,
// proxies.ts), adopts the peer a `restart()` of one of them starts, stops every peer before the
// test ends (pass, fail, throw, timeout, skip, bail), then kills what they left running
// (escaped.ts) and closes the proxies, fails the test when a `peerDown: 'crash'` peer dies, and
// attaches the failure report (report.ts).
import type { NetworkProxy, NetworkProxyOptions, Peer, PeerState } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import { TestEndedError } from '../errors.js'
import { processesNow, type Snapshot } from '../shared/descendants.js'
import { readStat } from '../shared/proc.js'
import type { PeerReport, VitestPeerOptions } from '../shared/types.js'
import type { CrashReportDir } from './crash-reports.js'
import { endEscaped } from './escaped.js'
import { type Launched, launchPeer } from './launch.js'
import { fullName } from './naming.js'
import { mergeOptions } from './options.js'
import { asCurrentTask, OutputCapture } from './output.js'
import { TestProxies } from './proxies.js'
import { recordOwned } from './record.js'
import { describePeer, diagnosticsError, pointAtTest } from './report.js'
import { type ProjectSettings, projectSettings } from './settings.js'
import { takeSpare } from './spares.js'

/** A peer of the test, with what vitest-peer keeps about it. */
interface Member {
  peer: Peer
  output: OutputCapture
  reports: CrashReportDir | null
  /** The token in its environment and its descendants'. */
  cookie: string
  /** Its start time (/proc), to tell the processes it started from its predecessor's. */
  startTime: string | null
  /** The stack where the test started it, for the report's location. */
  startSite: string[]
  echo: boolean
  /** Its state when the test ended (its signal aborted, or teardown began). */
  atEnd?: PeerState
  /** The peer a `restart()` of it started, a member too. */
  successor?: Peer
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
  private readonly proxies = new TestProxies(() => new TestEndedError(fullName(this.task), 'proxy'))
  private finished: Promise<void> | undefined
  private reports: PeerReport[] = []
  /** The processes alive before this test started its first peer: none of them is its peers' doing. */
  private earlier: Snapshot | undefined

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
    return this.startAt(undefined, layers)
  }

  /** `start`, with relative specifiers resolved against `base` (a folder) instead of the test file's. */
  startAt(base: string | undefined, layers: (VitestPeerOptions | undefined)[]): Promise<Peer> {
    if (this.closed || this.controller.signal.aborted) return Promise.reject(new TestEndedError(fullName(this.task)))
    const startSite = (new Error().stack ?? '').split('\n').slice(1)
    // Before the test's first peer (a retry gets a group of its own).
    if (this.members.length === 0 && this.pending.size === 0) this.earlier = processesNow()
    const options = mergeOptions(this.settings.defaults, ...layers)
    const launch = () => launchPeer(options, this.task, this.settings, this.controller.signal, base)
    const spare = takeSpare(this.task, this.settings, layers, base)
    const flow = (spare ? spare.then((handed) => handed ?? launch()) : launch()).then((launched) =>
      this.adopt(launched, startSite),
    )
    this.pending.add(flow)
    const forget = () => this.pending.delete(flow)
    flow.then(forget, forget)
    return flow
  }

  /** Start a network proxy for this test; closed when the test ends, after its peers are gone. */
  startProxy(options: NetworkProxyOptions): Promise<NetworkProxy> {
    if (this.closed || this.controller.signal.aborted)
      return Promise.reject(new TestEndedError(fullName(this.task), 'proxy'))
    return this.proxies.start(options)
  }

  private async adopt({ peer, reports, echo, cookie }: Launched, startSite: string[]): Promise<Peer> {
    this.join(peer, { reports, echo, cookie, startSite })
    if (this.closed) {
      // The test ended while this peer booted: it must not outlive the test.
      await peer.stop()
      throw new TestEndedError(fullName(this.task))
    }
    return peer
  }

  /**
   * Make `peer` a member of this test: its output, its crash error, its registry record, and its
   * successor when it restarts. A successor has the same name and options (cookie, crash-report
   * folder, echo) and is spawned once its predecessor is gone: the registry forgets that one then.
   */
  private join(peer: Peer, like: Pick<Member, 'reports' | 'echo' | 'cookie' | 'startSite'>): void {
    const startTime = peer.pid === 0 ? null : (readStat(peer.pid)?.startTime ?? null)
    const member: Member = { ...like, peer, output: new OutputCapture(peer, like.echo), startTime }
    this.members.push(member)
    // With `peerDown: 'crash'` the engine emits 'error' on an unexpected loss; kept to fail the test.
    peer.on('error', (error) => this.crashes.push({ error, member }))
    peer.once('restart', (next) => {
      member.successor = next
      this.settings.registry.remove(peer.pid)
      this.join(next, like)
      // Spawned while the test ended: its signal (the test's) ends it, and teardown waits for it.
      if (this.closed) void next.stop()
    })
    this.record(member)
  }

  /** Record the peer in the run's registry (the safety net kills it, and what it started, if it outlives its test). */
  private record({ peer, cookie }: Member): void {
    recordOwned(this.settings.registry, { peer, cookie }, this.task.id, this.task.file.name, fullName(this.task))
  }

  /**
   * Stop every peer and wait until each is gone, with what it left running; close the proxies;
   * print the peers' output under the test. Never throws, except the crash error.
   */
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
    // Every member, and a successor that a restart in flight spawns meanwhile.
    for (let stopped = 0; stopped < this.members.length; ) {
      const batch = this.members.slice(stopped)
      stopped = this.members.length
      await Promise.allSettled(batch.map(({ peer }) => peer.stop().then(() => peer.exited)))
    }
    const escaped = await endEscaped(
      this.members.map(({ peer, cookie, startTime }) => ({ name: peer.name, cookie, startTime })),
      `the test "${fullName(this.task)}"`,
      (text) => asCurrentTask(this.task, () => console.error(text)),
      this.earlier,
    )
    await this.proxies.close()
    for (const { peer, output } of this.members) {
      this.settings.registry.remove(peer.pid)
      output.printUnder(this.task)
    }
    this.reports = this.members.map(({ peer, atEnd, reports, successor }, i) =>
      describePeer(peer, atEnd ?? 'booting', reports?.reportsOf(peer.pid) ?? [], escaped[i] ?? [], successor),
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
