// SIGKILL mid-test, in child Vitest runs: of the worker (the peers' origin), of the Vitest main
// process, and of the run's whole process group. In each trial the test holds peers over every
// connection (ipc, stdio, tcp, uds, and an ipc peer in a session of its own), the first with
// processes of its own (a child, a pipeline, a cluster worker, and one that left its session),
// its worker waiting on a promise or spinning in a synchronous loop (every other trial). No peer,
// nor a process in its group, may outlive the kill by more than a second; the one that left the
// peer's session is vitest-peer's safety net's to end: by the time the run's janitor has exited
// (or, after a worker's death, the run has ended).
//
// A kill of the main process or the group ends its run: one child run per trial, LANES at a time
// (a child run starts one process after the other: one at a time would leave a core idle). A
// worker's kill fails only its test file, and Vitest goes on with the next: the worker trials
// share one child run of one test file per trial, LANES workers at a time.
import { describe, test } from 'vitest'
import { type ChildRun, startBatchRun, startChildRun, type Trial } from '../helpers/child-run.js'
import { Figures } from '../helpers/figures.js'
import { isGone, type Proc, watchGone } from '../helpers/proc.js'

const TRIALS = Number(process.env.REL_TRIALS ?? 20)
/** No peer outlives its origin, or its run, by more than a second. */
const BOUND_MS = 1000
/** After the last worker's death Vitest ends the run by itself; generous for a loaded machine. */
const RUN_END_MS = 60_000
/** The janitor ends once its main process has ended (after a kill, once its sweep, a Node start, is done). */
const JANITOR_BOUND_MS = 10_000
const COLUMNS = 'ipc, stdio, tcp, uds, ipc detached'
/** Trials at a time. */
const LANES = 3
const MEASURE = 'kill → every peer and its group gone'

interface Outcome {
  ms: number | null
  perPeer: Record<string, number>
  problems: string[]
}

/** Kill `target` (a pid, or a process group as -pgid) and watch the trial's peers and their groups go. */
async function killAndWatch(trial: Trial, target: number): Promise<Outcome> {
  const t0 = performance.now()
  process.kill(target, 'SIGKILL')
  const watched = [...trial.peers, ...trial.descendants.map((proc) => ({ label: 'descendant', proc }))]
  const { goneAfter, alive } = await watchGone(
    watched.map((p) => p.proc),
    t0,
    BOUND_MS,
  )
  const perPeer: Record<string, number> = {}
  const problems: string[] = []
  for (const { label, proc } of watched) {
    const ms = goneAfter.get(proc)
    if (ms === undefined) problems.push(`${label} (pid ${proc.pid}) alive ${BOUND_MS} ms after the kill`)
    else perPeer[label] = Math.max(perPeer[label] ?? 0, ms)
  }
  return { ms: alive.length > 0 ? null : Math.max(...goneAfter.values()), perPeer, problems }
}

/** The rest of a run, once it ended or was killed: its janitor and the escapees gone. */
async function runAftermath(
  run: ChildRun,
  escapees: Proc[],
  from: number,
): Promise<{ janitorMs: number | null; problems: string[] }> {
  const problems: string[] = []
  let janitorMs: number | null = null
  if (run.janitor === undefined) problems.push('no janitor among the children of the Vitest main process')
  else {
    const { goneAfter } = await watchGone([run.janitor], from, JANITOR_BOUND_MS)
    janitorMs = goneAfter.get(run.janitor) ?? null
    if (janitorMs === null) problems.push(`the janitor (pid ${run.janitor.pid}) alive ${JANITOR_BOUND_MS} ms on`)
  }
  for (const escapee of escapees)
    if (!isGone(escapee))
      problems.push(`the process that left the peer's session (pid ${escapee.pid}) outlived the run`)
  return { janitorMs, problems }
}

class Worst {
  perPeer: Record<string, number> = {}
  janitor = 0
  add(outcome: Outcome, janitorMs: number | null) {
    for (const [label, ms] of Object.entries(outcome.perPeer))
      this.perPeer[label] = Math.max(this.perPeer[label] ?? 0, Math.round(ms))
    this.janitor = Math.max(this.janitor, Math.round(janitorMs ?? 0))
  }
  record(figures: Figures, janitorWhat: string) {
    figures.extra('worstPerConnectionMs', this.perPeer)
    figures.extra(janitorWhat, this.janitor)
  }
}

describe('SIGKILL of the worker mid-test', () => {
  test(`no peer survives it (${TRIALS} trials, every connection)`, async () => {
    const figures = new Figures('SIGKILL of the worker mid-test', COLUMNS, MEASURE, BOUND_MS)
    const worst = new Worst()
    const run = startBatchRun(TRIALS, LANES)
    const escapees: Proc[] = []
    try {
      for (let i = 0; i < TRIALS; i++) {
        let trial: Trial
        try {
          trial = await run.next()
        } catch (error) {
          figures.trial(null, (error as Error).message.slice(0, 2000))
          break
        }
        escapees.push(trial.escapee)
        const outcome = await killAndWatch(trial, trial.worker.pid)
        worst.add(outcome, null)
        figures.trial(
          outcome.ms,
          outcome.problems.length > 0 ? `worker ${trial.mode}: ${outcome.problems.join('; ')}` : undefined,
        )
      }
      let timer: ReturnType<typeof setTimeout> | undefined
      const ended = await Promise.race([
        run.exited.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), RUN_END_MS)
        }),
      ])
      clearTimeout(timer)
      if (!ended) figures.fail(`the run did not end within ${RUN_END_MS} ms of its last worker's death`)
      const endedAt = performance.now()
      const after = await runAftermath(run, escapees, endedAt)
      worst.add({ ms: null, perPeer: {}, problems: [] }, after.janitorMs)
      for (const problem of after.problems) figures.fail(problem)
      const killed = (run.stderr().match(/Worker exited unexpectedly/g) ?? []).length
      figures.extra('workersReportedDeadByVitest', killed)
    } finally {
      run.dispose()
    }
    worst.record(figures, 'worstJanitorGoneAfterRunEndMs')
    figures.done()
  })
})

const runKills = [
  { name: 'SIGKILL of the Vitest main process mid-test', target: (run: ChildRun) => run.main.pid },
  { name: 'SIGKILL of the process group mid-test', target: (run: ChildRun) => -run.main.pid },
] as const

describe.each(runKills)('$name', ({ name, target }) => {
  test(`no peer survives it (${TRIALS} trials, every connection)`, async () => {
    const figures = new Figures(name, COLUMNS, MEASURE, BOUND_MS)
    const worst = new Worst()
    const trial = async (mode: 'wait' | 'spin') => {
      const run = await startChildRun(mode)
      try {
        const t0 = performance.now()
        const outcome = await killAndWatch(run.trial, target(run))
        const after = await runAftermath(run, [run.trial.escapee], t0)
        if (target(run) < 0 && !isGone(run.trial.worker)) after.problems.push('the worker survived the group kill')
        worst.add(outcome, after.janitorMs)
        const problems = [...outcome.problems, ...after.problems]
        figures.trial(outcome.ms, problems.length > 0 ? `worker ${mode}: ${problems.join('; ')}` : undefined)
      } finally {
        run.dispose()
      }
    }
    let next = 0
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < TRIALS) await trial(next++ % 2 === 0 ? 'wait' : 'spin')
      }),
    )
    worst.record(figures, 'worstJanitorGoneAfterKillMs')
    figures.done()
  })
})
