// The run-level safety net of the plugin, in child Vitest runs: peers of a run whose main
// process is killed with SIGKILL mid-test die; a process recorded in the registry that outlives
// its test is killed and reported; the next run reaps what a dead run left behind.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { REGISTRY_PREFIX } from '../src/constants.js'
import { readCmdline, readStat } from '../src/shared/proc.js'
import { writeRecord } from '../src/shared/registry.js'
import { startVitest } from './helpers/child-vitest.js'
import { waitForFile } from './helpers/files.js'
import { alive, isGone, waitGone } from './helpers/proc.js'

test('after SIGKILL of the Vitest main process mid-test, no peer is alive', async () => {
  const run = startVitest('safety', { env: { VP_MODE: 'hang' } })
  try {
    const early = run.exited.then((status) => {
      throw new Error(
        `the child run ended before its test was ready (${JSON.stringify(status)}):\n${run.stdout()}${run.stderr()}`,
      )
    })
    await Promise.race([waitForFile(`${run.pidsFile}.ready`), early])
    const peers = run.peers()
    expect(peers).toHaveLength(2)
    expect(alive(peers.map((p) => p.pid))).toHaveLength(2)
    run.child.kill('SIGKILL')
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' })
    // The orphaned worker (if it lingers) kills its peers when its IPC channel disconnects; if it
    // died, the link kills them. Either way they must be gone: no peer outlives its origin by more than a second.
    expect(await waitGone(peers.map((p) => p.pid))).toEqual([])
  } finally {
    for (const worker of new Set(run.peers().map((p) => p.worker))) if (!isGone(worker)) process.kill(worker, 'SIGKILL')
    run.dispose()
  }
})

test('a test cut short by --bail stops its peer before it ends', async () => {
  const run = startVitest('safety', { env: { VP_MODE: 'bail' }, args: ['--bail=1', '--maxWorkers=2'] })
  try {
    const status = await run.exited
    expect(status.code, run.stdout() + run.stderr()).toBe(1)
    const [peer] = run.peers()
    expect(peer?.test).toBe('bail')
    expect(isGone(peer!.pid)).toBe(true)
    const results = run.json().testResults.flatMap((file: any) => file.assertionResults)
    expect(results.find((r: any) => r.title === 'is cut short by bail')?.status).toBe('skipped')
  } finally {
    run.dispose()
  }
})

test('a process still recorded when its test ends is killed and reported as a leak; dead runs are reaped', async () => {
  // A stand-in for a peer left behind by an earlier run whose Vitest main process died: a live
  // process recorded in a registry folder whose owner (pid + start time) no longer exists.
  const stale = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'vp-stale-peer'], { stdio: 'ignore' })
  const staleExit = new Promise<NodeJS.Signals | null>((resolve) =>
    stale.once('exit', (_code, signal) => resolve(signal)),
  )
  // The registry lives in os.tmpdir(), which every run on the machine shares: the child runs of
  // the other test files would reap this dead run too. This run gets a TMPDIR of its own.
  const privateTmp = mkdtempSync(join(tmpdir(), 'vp-safety-tmp-'))
  // The run folder of a main process (pid + start time) that no longer exists.
  writeRecord(join(privateTmp, `${REGISTRY_PREFIX}${stale.pid}-0`, 'default'), {
    pid: stale.pid!,
    startTime: readStat(stale.pid!)!.startTime,
    cmdline: readCmdline(stale.pid!),
    name: 'stale-peer',
    worker: 1,
    testId: 'x',
    file: 'old.test.ts',
    test: 'old',
  })
  const run = startVitest('safety', { env: { VP_MODE: 'leak', TMPDIR: privateTmp } })
  try {
    const status = await run.exited
    expect(status.code, run.stdout() + run.stderr()).toBe(0)
    expect(await staleExit).toBe('SIGKILL')
    expect(run.stderr()).toContain(
      `vitest-peer: reaped peer stale-peer (pid ${stale.pid}) left running by an earlier Vitest run that died`,
    )
    const [leak] = run.peers()
    expect(leak?.name).toBe('fake-leak')
    expect(isGone(leak!.pid)).toBe(true)
    expect(run.stderr() + run.stdout()).toContain(
      `vitest-peer: leaked peer fake-leak (pid ${leak!.pid}) of "leaks a process" in safety.test.ts was still running after its test ended; killed it with SIGKILL`,
    )
  } finally {
    if (!isGone(stale.pid!)) stale.kill('SIGKILL')
    rmSync(privateTmp, { recursive: true, force: true })
    run.dispose()
  }
})
