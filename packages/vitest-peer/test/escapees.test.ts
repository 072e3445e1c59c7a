// The safety net and the processes a peer starts that leave its session (setsid, a daemon whose
// parent exited): killed and reported when their test ends, listed in a failed test's report, and
// reaped by a later run when the run that started them was killed with SIGKILL. In child Vitest
// runs, checked in /proc.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { type PeerRecord, startVitest } from './helpers/child-vitest.js'
import { waitForFile } from './helpers/files.js'
import { janitorOf } from './helpers/janitor.js'
import { junitCases } from './helpers/junit.js'
import { alive, isGone, waitGone } from './helpers/proc.js'

/** Start time of `pid` (field 22 of its stat), or null if there is no such process. */
const startTime = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

/** SIGKILL what a failed test left: live processes of `pids` that are still escapees (pids are reused). */
function cleanUp(pids: number[]): void {
  for (const pid of pids) {
    let cmdline = ''
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {}
    if (!isGone(pid) && cmdline.includes('vp-escapee')) process.kill(pid, 'SIGKILL')
  }
}

test('processes that left a peer’s session are killed and reported when their test ends', async () => {
  const run = startVitest('escapees', { env: { VP_MODE: 'end' } })
  let escapees: PeerRecord[] = []
  try {
    const status = await run.exited
    escapees = run.peers()
    expect(status.code, run.stdout() + run.stderr()).toBe(1)
    const results = run.json().testResults.flatMap((file: any) => file.assertionResults)
    const statusOf = (title: string) => results.find((r: any) => r.title === title)?.status
    expect(statusOf('a failing test lists them in its report')).toBe('failed')
    // The child run's own check, made before the run ended: each was gone after its test.
    expect(statusOf('none of them is alive after its test'), run.stdout()).toBe('passed')
    expect(escapees.map((e) => e.test)).toEqual(['detached', 'daemon', 'killed peer', 'failing'])
    const output = run.stdout() + run.stderr()
    for (const { pid, name } of escapees) {
      expect(output).toMatch(
        new RegExp(
          `vitest-peer: process ${pid} \\(\\S*node -e .*?\\) started by peer ${name} outlived it and was still running when the test "[^"]+" ended; killed it with SIGKILL`,
        ),
      )
    }
    const failing = escapees.find((e) => e.test === 'failing')!
    const report = junitCases(run.junit())
      .get('processes a peer left running end with its test > a failing test lists them in its report')!
      .failures.find((f) => f.type === 'PeerDiagnosticsError')!.text
    expect(report).toMatch(
      new RegExp(
        `processes it started that outlived it, killed when the test ended:\\n {4}${failing.pid} \\(\\S*node -e `,
      ),
    )
    const meta = results.find((r: any) => r.title === 'a failing test lists them in its report').meta
    expect(meta.vitestPeer.peers[0].escaped).toEqual([
      { pid: failing.pid, command: expect.stringContaining('vp-escapee') },
    ])
    expect(alive(escapees.map((e) => e.pid))).toEqual([])
  } finally {
    cleanUp(escapees.map((e) => e.pid))
    run.dispose()
  }
})

test('a later run reaps the processes that left a peer’s session in a run killed with SIGKILL', async () => {
  // A TMPDIR of its own: the child runs of other test files would reap this dead run too.
  const privateTmp = mkdtempSync(join(tmpdir(), 'vp-escapees-tmp-'))
  // The threads pool: its workers die with the main process, so no worker sweeps first.
  const killed = startVitest('escapees', { env: { VP_MODE: 'hang', TMPDIR: privateTmp }, args: ['--pool=threads'] })
  let escapee: number | undefined
  try {
    const early = killed.exited.then((status) => {
      throw new Error(`the run ended before its test was ready (${JSON.stringify(status)}):\n${killed.stderr()}`)
    })
    await Promise.race([waitForFile(`${killed.pidsFile}.ready`), early])
    const [record] = killed.peers()
    escapee = record!.pid
    const recordedStart = startTime(escapee)
    // The run's janitor would reap the escapee at once; a run whose janitor died too is the case
    // a later run's reaper is for.
    const janitor = janitorOf(killed.child.pid!)
    expect(janitor).toBeDefined()
    process.kill(janitor!, 'SIGKILL')
    killed.child.kill('SIGKILL')
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' })
    // It left the peer's session: neither the link nor the end of the peer's process group reached it.
    expect(isGone(escapee)).toBe(false)
    expect(startTime(escapee)).toBe(recordedStart)
    const later = startVitest('escapees', { env: { VP_MODE: 'quiet', TMPDIR: privateTmp } })
    try {
      const status = await later.exited
      expect(status.code, later.stdout() + later.stderr()).toBe(0)
      expect(later.stderr()).toMatch(
        new RegExp(
          `vitest-peer: reaped process ${escapee} \\(\\S*node -e .*?\\) started by peer ${record!.name} left running by an earlier Vitest run that died`,
        ),
      )
      // Not this test's child: polled in /proc (a zombie counts as gone).
      expect(await waitGone([escapee])).toEqual([])
    } finally {
      later.dispose()
    }
  } finally {
    if (escapee !== undefined) cleanUp([escapee])
    killed.dispose()
    rmSync(privateTmp, { recursive: true, force: true })
  }
})
