// The scan for what a peer left running skips the processes alive before the peer started (a
// snapshot), as long as no pid of the snapshot can have been handed out again; otherwise it reads
// every process. Checked with real processes carrying a cookie in their environment.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, expect, test } from 'vitest'
import { COOKIE_ENV } from '../src/constants.js'
import { findDescendants, newCookie, processesNow } from '../src/shared/descendants.js'

const started: ChildProcess[] = []
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  }
})

/** A process holding `cookie`, running until killed; resolves once it runs. */
async function holder(cookie: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write('up'); setInterval(() => {}, 1e6)"], {
    env: { ...process.env, [COOKIE_ENV]: cookie },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  started.push(child)
  await once(child.stdout!, 'data')
  return child.pid!
}

test('processes alive at the snapshot are skipped; those started after it are found', async () => {
  const cookie = newCookie()
  const before = await holder(cookie)
  const earlier = processesNow()
  expect(earlier).toBeDefined()
  expect(earlier!.pids.has(before)).toBe(true)
  expect(earlier!.budget).toBeGreaterThan(0)
  const after = await holder(cookie)
  const cookies = new Set([cookie])
  expect(findDescendants({ cookies, earlier }).map((d) => d.pid)).toEqual([after])
  // Without the snapshot, both.
  expect(
    findDescendants({ cookies })
      .map((d) => d.pid)
      .sort(),
  ).toEqual([before, after].sort())
})

test('a snapshot whose pids may have come around again is not used: every process is read', async () => {
  const cookie = newCookie()
  const before = await holder(cookie)
  const earlier = processesNow()!
  // As if pid_max's worth of tasks had been created since.
  const spent = { ...earlier, budget: 0 }
  expect(findDescendants({ cookies: new Set([cookie]), earlier: spent }).map((d) => d.pid)).toEqual([before])
})
