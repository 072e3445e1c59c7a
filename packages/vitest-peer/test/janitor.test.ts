// The run's janitor, in child Vitest runs: when the Vitest main process is killed with SIGKILL
// while a `forks` worker is stuck in a synchronous loop (it can run no handler, and its peers stay
// linked to it), the peers and the processes in their groups are gone within a second all the
// same, and the janitor with them.
import { expect, test } from 'vitest'
import { readStat } from '../src/shared/proc.js'
import { startVitest } from './helpers/child-vitest.js'
import { waitForFile } from './helpers/files.js'
import { janitorOf } from './helpers/janitor.js'
import { alive, isGone, waitGone } from './helpers/proc.js'

/** No peer outlives its run by more than a second. */
const DEADLINE_MS = 1000

test('after SIGKILL of the main process, the peers of a worker stuck in a loop are gone within 1 s, and so is the janitor', async ({
  skip,
}) => {
  const run = startVitest('safety', { env: { VP_MODE: 'spin' } })
  const mainExited = new Promise<void>((resolve) => run.child.once('exit', () => resolve()))
  /** The workers seen, with their start times: they spin forever, this test ends them. */
  const workers = new Map<number, string | undefined>()
  /** The child a peer started: ended here if the janitor missed it. */
  const descendants = new Map<number, string | undefined>()
  const endWorkers = () => {
    for (const [pid, startTime] of [...workers, ...descendants]) {
      if (!isGone(pid) && readStat(pid)?.startTime === startTime) process.kill(pid, 'SIGKILL')
    }
  }
  try {
    const early = mainExited.then(() => {
      throw new Error(`the child run ended before its test was ready:\n${run.stdout()}${run.stderr()}`)
    })
    await Promise.race([waitForFile(`${run.pidsFile}.ready`), early])
    const peers = run
      .peers()
      .filter((p) => p.test === 'spin')
      .map((p) => p.pid)
    expect(peers).toHaveLength(2)
    const children = run
      .peers()
      .filter((p) => p.test === 'spin-child')
      .map((p) => p.pid)
    expect(children).toHaveLength(1)
    for (const pid of children) descendants.set(pid, readStat(pid)?.startTime)
    for (const { worker } of run.peers()) workers.set(worker, readStat(worker)?.startTime)
    const janitor = janitorOf(run.child.pid!)
    expect(janitor, 'a janitor process among the children of the Vitest main process').toBeDefined()
    expect(alive([...peers, ...children, janitor!])).toHaveLength(4)

    run.child.kill('SIGKILL')
    const killedAt = Date.now()
    await mainExited
    expect(await waitGone([...peers, ...children], DEADLINE_MS - (Date.now() - killedAt))).toEqual([])
    // The janitor ends with its sweep (a Node start, slow on a loaded machine): it outlives nothing.
    expect(await waitGone([janitor!], 10_000)).toEqual([])
    // The case under test is a worker that lingers, spinning: then the peers did not go with it,
    // something outside it ended them. A Vitest that ends its workers with the main process (5.x)
    // leaves no such worker, and the janitor has nothing to prove.
    if (alive([...workers.keys()]).length === 0) return skip('this Vitest ended the spinning worker itself')

    // Once the worker is gone too, the run's stderr is complete: the janitor said what it killed.
    endWorkers()
    await run.exited
    for (const { name, pid } of run.peers().filter((p) => p.test === 'spin')) {
      expect(run.stderr()).toContain(
        `vitest-peer: leaked peer ${name} (pid ${pid}) of "spins with a peer until the run is killed" in safety.test.ts was still running after the Vitest main process died; killed it with SIGKILL`,
      )
    }
  } finally {
    run.child.kill('SIGKILL')
    endWorkers()
    run.dispose()
  }
})
