// Test support (origin side) for the link tests: an origin in a process of its own
// (fixtures/origin.mjs), killed with SIGKILL while the test watches its peer and the peer's
// descendants through /proc.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { PeerOptions } from '@vitest-peer/core'
import { onTestFinished } from 'vitest'
import { fixture, killAll, waitGone } from '../helpers.js'

/** The link's deadline: no peer outlives its origin by more than a second. */
export const LINK_DEADLINE_MS = 1000

/** The processes fixtures/descendants.mjs starts in a peer. */
export interface Descendants {
  sleep: number
  pipeline: [sh: number, sleep: number, cat: number]
  worker: number
  detached: number
}

/** What fixtures/origin.mjs prints once its peer is ready. */
export interface OriginReport {
  pid: number
  paused: boolean
  descendants?: Descendants
}

/**
 * Runs fixtures/origin.mjs with `options` and `mode` and reads its report. Without `setpriv`,
 * the engine in that origin is told not to arm the parent-death signal (its peers then run the
 * watchdog thread). The origin, its peer and the peer's descendants are killed after the test
 * if they are still there.
 */
export async function startOrigin(
  options: PeerOptions,
  mode: 'idle' | 'busy' | 'descendants' | 'paused',
  setpriv = true,
): Promise<{ origin: ChildProcess; report: OriginReport }> {
  const origin = spawn(process.execPath, [fixture('origin.mjs'), JSON.stringify(options), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: setpriv ? process.env : { ...process.env, VITEST_PEER_NO_PDEATHSIG: '1' },
  })
  let stderr = ''
  origin.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const exited = new Promise<never>((_, reject) => {
    origin.once('exit', (code, signal) =>
      reject(new Error(`origin.mjs exited (${code ?? signal}) before printing its peer: ${stderr}`)),
    )
  })
  onTestFinished(() => {
    origin.kill('SIGKILL')
  })
  const lines = createInterface({ input: origin.stdout! })
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve))
  const line = await Promise.race([firstLine, exited])
  lines.close()
  const report = JSON.parse(line) as OriginReport
  const { pid, descendants } = report
  onTestFinished(() => {
    // Do not leave anything behind even when an assertion failed.
    const pids = descendants
      ? [descendants.sleep, ...descendants.pipeline, descendants.worker, descendants.detached]
      : []
    killAll([pid, ...pids])
  })
  return { origin, report }
}

/** SIGKILLs the origin; true when `pids` are all gone within LINK_DEADLINE_MS of the kill. */
export async function killOriginAndWatch(
  origin: ChildProcess,
  ...watched: Parameters<typeof waitGone>[0][]
): Promise<boolean> {
  const reaped = new Promise((resolve) => origin.once('exit', resolve))
  origin.kill('SIGKILL')
  const gone = Promise.all(watched.map((each) => waitGone(each, LINK_DEADLINE_MS)))
  await reaped
  return (await gone).every(Boolean)
}
