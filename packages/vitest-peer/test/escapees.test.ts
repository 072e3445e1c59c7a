// The safety net and the processes a peer starts that leave its session (setsid, a daemon whose
// parent exited): killed and reported when their test ends, listed in a failed test's report, and
// reaped by a later run when the run that started them was killed with SIGKILL; and the members
// of a dead run's peer process group, found by the group. In child Vitest runs, checked in /proc.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { REGISTRY_PREFIX } from '../src/constants.js'
import { readCmdline, readStat } from '../src/shared/proc.js'
import { writeRecord } from '../src/shared/registry.js'
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

/** A later run (its registry under `tmp`) reaps process `pid`, started by peer `peer`, and says so. */
async function expectReapedByLaterRun(tmp: string, pid: number, peer: string): Promise<void> {
  const later = startVitest('escapees', { env: { VP_MODE: 'quiet', TMPDIR: tmp } })
  try {
    const status = await later.exited
    expect(status.code, later.stdout() + later.stderr()).toBe(0)
    expect(later.stderr()).toMatch(
      new RegExp(
        `vitest-peer: reaped process ${pid} \\(\\S*node -e .*?\\) started by peer ${peer} left running by an earlier Vitest run that died`,
      ),
    )
    // Not this test's child: polled in /proc (a zombie counts as gone).
    expect(await waitGone([pid])).toEqual([])
  } finally {
    later.dispose()
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
    expect(escapees.map((e) => e.test)).toEqual(['detached', 'daemon', 'killed peer', 'failing', 'file scope'])
    const output = run.stdout() + run.stderr()
    for (const { pid, name, test } of escapees) {
      const owner = test === 'file scope' ? 'its file scope' : 'the test "[^"]+"'
      expect(output).toMatch(
        new RegExp(
          `vitest-peer: process ${pid} \\(\\S*node -e .*?\\) started by peer ${name} outlived it and was still running when ${owner} ended; killed it with SIGKILL`,
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
    await expectReapedByLaterRun(privateTmp, escapee, record!.name)
  } finally {
    // A failure before the kill leaves the run waiting in its test: end it (its janitor ends its peers).
    if (killed.child.exitCode === null && killed.child.signalCode === null) killed.child.kill('SIGKILL')
    if (escapee !== undefined) cleanUp([escapee])
    killed.dispose()
    rmSync(privateTmp, { recursive: true, force: true })
  }
})

test("a later run reaps the members of a dead run's peer process group, with or without the cookie", async () => {
  const privateTmp = mkdtempSync(join(tmpdir(), 'vp-escapees-tmp-'))
  // A stand-in for a peer whose run and janitors all died: a process that leads its own group and
  // starts a child there with a fresh environment (no cookie), recorded in the registry of a run
  // whose main process (pid + start time) no longer exists.
  const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)', 'vp-escapee'], { env: {}, stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1 << 30)`
  const leader = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] })
  const leaderGone = new Promise((resolve) => leader.once('exit', resolve))
  let member: number | undefined
  try {
    member = Number(String((await once(leader.stdout!, 'data'))[0]).trim())
    expect(readStat(member)?.pgrp).toBe(leader.pid)
    writeRecord(join(privateTmp, `${REGISTRY_PREFIX}${leader.pid}-0`, 'default'), {
      pid: leader.pid!,
      startTime: readStat(leader.pid!)!.startTime,
      cmdline: readCmdline(leader.pid!),
      pgid: leader.pid!,
      name: 'group-leader',
      worker: 1,
      testId: 'x',
      file: 'old.test.ts',
      test: 'old',
    })
    leader.kill('SIGKILL')
    await leaderGone
    expect(isGone(member)).toBe(false)
    await expectReapedByLaterRun(privateTmp, member, 'group-leader')
  } finally {
    if (leader.exitCode === null && leader.signalCode === null) leader.kill('SIGKILL')
    if (member !== undefined) cleanUp([member])
    rmSync(privateTmp, { recursive: true, force: true })
  }
})
