// SIGKILL mid-test, in child Vitest runs: of the worker (the peers' origin), of the Vitest main
// process, and of the run's whole process group. In each trial the test holds peers over every
// connection (ipc, stdio, tcp, uds, and an ipc peer in a session of its own), the first with
// processes of its own (a child, a pipeline, a cluster worker, and one that left its session),
// its worker waiting on a promise or spinning in a synchronous loop (every other trial). No peer,
// nor a process in its group, may outlive the kill by more than a second; the one that left the
// peer's session is vitest-peer's safety net's to end: by the time the run's janitor has exited
// (or, after a worker's death, the run has ended). Two runs go at once: a child Vitest takes
// seconds to start here.
import { describe, test } from 'vitest'
import { startChildRun } from '../helpers/child-run.js'
import { Figures } from '../helpers/figures.js'
import { isGone, watchGone } from '../helpers/proc.js'

const TRIALS = Number(process.env.REL_TRIALS ?? 20)
/** No peer outlives its origin, or its run, by more than a second. */
const BOUND_MS = 1000
/** After a worker's death Vitest ends the run by itself; generous for a loaded machine. */
const RUN_END_MS = 30_000
/** The janitor's sweep starts Node and reads every process's environment: generous on a loaded machine. */
const JANITOR_BOUND_MS = 10_000

const kinds = [
  { name: 'SIGKILL of the worker mid-test', target: 'worker' },
  { name: 'SIGKILL of the Vitest main process mid-test', target: 'main' },
  { name: 'SIGKILL of the process group mid-test', target: 'group' },
] as const

interface Outcome {
  ms: number | null
  perPeer: Record<string, number>
  /** When the janitor was gone, and the process that left the peer's session (ms after the kill). */
  janitorMs: number | null
  escapeeMs: number | null
  problem?: string
}

async function trial(target: (typeof kinds)[number]['target'], worker: 'wait' | 'spin'): Promise<Outcome> {
  const run = await startChildRun(worker)
  try {
    const problems: string[] = []
    if (run.janitor === undefined) problems.push('no janitor among the children of the Vitest main process')
    const t0 = performance.now()
    if (target === 'worker') process.kill(run.worker.pid, 'SIGKILL')
    else if (target === 'main') process.kill(run.main.pid, 'SIGKILL')
    else process.kill(-run.main.pid, 'SIGKILL')
    const watched = [...run.peers, ...run.descendants.map((proc) => ({ label: 'descendant', proc }))]
    const { goneAfter, alive } = await watchGone(
      watched.map((p) => p.proc),
      t0,
      BOUND_MS,
    )
    const perPeer: Record<string, number> = {}
    for (const { label, proc } of watched) {
      const ms = goneAfter.get(proc)
      if (ms === undefined) problems.push(`${label} (pid ${proc.pid}) alive ${BOUND_MS} ms after the kill`)
      else perPeer[label] = Math.max(perPeer[label] ?? 0, ms)
    }
    // The rest of the run: the janitor goes with the main process (or, after a worker's death,
    // when the run has ended by itself), and the process that left the peer's session with it.
    if (target === 'worker') {
      let timer: ReturnType<typeof setTimeout> | undefined
      const ended = await Promise.race([
        run.exited.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), RUN_END_MS)
        }),
      ])
      clearTimeout(timer)
      if (!ended) problems.push(`the run did not end within ${RUN_END_MS} ms of its worker's death`)
    }
    let janitorMs: number | null = null
    if (run.janitor !== undefined) {
      const { goneAfter: janitorGone } = await watchGone([run.janitor], t0, JANITOR_BOUND_MS)
      janitorMs = janitorGone.get(run.janitor) ?? null
      if (janitorMs === null)
        problems.push(`the janitor (pid ${run.janitor.pid}) alive ${JANITOR_BOUND_MS} ms after the kill`)
    }
    const escapeeMs = isGone(run.escapee) ? performance.now() - t0 : null
    if (escapeeMs === null)
      problems.push(`the process that left the peer's session (pid ${run.escapee.pid}) outlived the run`)
    if (target === 'group' && !isGone(run.worker)) problems.push('the worker survived the group kill')
    const worst = alive.length > 0 ? null : Math.max(...goneAfter.values())
    return { ms: worst, perPeer, janitorMs, escapeeMs, problem: problems.length > 0 ? problems.join('; ') : undefined }
  } finally {
    run.dispose()
  }
}

describe.each(kinds)('$name', ({ name, target }) => {
  test(`no peer survives it (${TRIALS} trials, every connection)`, async () => {
    const figures = new Figures(
      name,
      'ipc, stdio, tcp, uds, ipc detached',
      'kill → every peer and its group gone',
      BOUND_MS,
    )
    const worstPerPeer: Record<string, number> = {}
    let worstJanitor = 0
    let worstEscapee = 0
    for (let i = 0; i < TRIALS; i += 2) {
      const outcomes = await Promise.all([trial(target, 'wait'), trial(target, 'spin')])
      for (const [j, outcome] of outcomes.entries()) {
        const mode = j === 0 ? 'worker waiting' : 'worker spinning'
        figures.trial(outcome.ms, outcome.problem && `${mode}: ${outcome.problem}`)
        for (const [label, ms] of Object.entries(outcome.perPeer))
          worstPerPeer[label] = Math.max(worstPerPeer[label] ?? 0, Math.round(ms))
        worstJanitor = Math.max(worstJanitor, Math.round(outcome.janitorMs ?? 0))
        worstEscapee = Math.max(worstEscapee, Math.round(outcome.escapeeMs ?? 0))
      }
    }
    figures.extra('worstPerConnectionMs', worstPerPeer)
    figures.extra('worstJanitorGoneMs', worstJanitor)
    figures.extra('worstEscapeeGoneByMs', worstEscapee)
    figures.done()
  })
})
