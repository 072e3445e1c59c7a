// Test support (origin side): fixtures, /proc checks and tracked peers for the behaviour suite.
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Peer, type PeerOptions, startPeer } from '@vitest-peer/core'
import { expect, onTestFinished } from 'vitest'

/** The workspace's `fixtures/` folder (small peer programs), with a trailing slash. */
export const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url))

/** Absolute path of a fixture file. */
export function fixture(name: string): string {
  return fixturesDir + name
}

/** `file:` URL of a fixture file. */
export function fixtureUrl(name: string): URL {
  return pathToFileURL(fixture(name))
}

/** Fields of /proc/<pid>/stat after the command name, or undefined when there is no such process. */
function procStat(pid: number): string[] | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** The process state letter (`R`, `S`, `Z`, …), or undefined when the pid has no /proc entry. */
export function procState(pid: number): string | undefined {
  return procStat(pid)?.[0]
}

/**
 * Pids of this process's children that still have a /proc entry (zombies included), without the
 * short-lived shell that starts the engine's janitor with the first peer of an origin (the
 * janitor itself is not a child: that shell leaves it to init).
 */
export function childPids(): number[] {
  return allChildPids().filter((pid) => !isJanitor(pid))
}

/** Whether `pid` is the engine's janitor or the shell that starts it (`sh -c <script> vitest-peer-janitor`). */
export function isJanitor(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('vitest-peer-janitor')
  } catch {
    return false
  }
}

function allChildPids(): number[] {
  const pids: number[] = []
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let children = ''
    try {
      children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8')
    } catch {
      continue
    }
    for (const pid of children.trim().split(/\s+/)) if (pid) pids.push(Number(pid))
  }
  return pids
}

/** Process group and session of a live process. */
export function procGroup(pid: number): { pgrp: number; session: number } | undefined {
  const fields = procStat(pid)
  if (!fields) return undefined
  return { pgrp: Number(fields[2]), session: Number(fields[3]) }
}

/** One process, told apart from a later one that reuses its pid by its start time. */
export interface ProcessRef {
  pid: number
  /** Start time after boot, in clock ticks (field 22 of /proc/<pid>/stat). */
  start: number
}

/** The process `pid` is now (it must be alive: a test takes the reference right after the spawn). */
export function processRef(pid: number): ProcessRef {
  const start = Number(procStat(pid)?.[19])
  if (!Number.isFinite(start)) throw new Error(`process ${pid} has no /proc entry`)
  return { pid, start }
}

/**
 * Gone means no /proc entry or a zombie: this machine's PID 1 does not reap orphans, so an
 * orphaned peer that exited stays `Z`. For a `ProcessRef`, a process with another start time
 * under that pid is another process: the one referred to is gone.
 */
export function isGone(process: number | ProcessRef): boolean {
  const pid = typeof process === 'number' ? process : process.pid
  const fields = procStat(pid)
  if (fields === undefined || fields[0] === 'Z') return true
  return typeof process !== 'number' && Number(fields[19]) !== process.start
}

/**
 * Polls /proc until the process is gone or `deadlineMs` has passed; true when it is gone. A
 * deadline, not a sleep: it returns as soon as the process is gone.
 */
export async function waitGone(pid: number | ProcessRef, deadlineMs: number): Promise<boolean> {
  const end = performance.now() + deadlineMs
  while (!isGone(pid)) {
    if (performance.now() >= end) return false
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return true
}

/** SIGKILLs each process that is not gone (a test's cleanup: one that dies meanwhile is no error). */
export function killAll(processes: (number | ProcessRef)[]): void {
  for (const each of processes) {
    if (isGone(each)) continue
    try {
      process.kill(typeof each === 'number' ? each : each.pid, 'SIGKILL')
    } catch {}
  }
}

/** Polls /proc until process `pid` is in one of `states` (e.g. `'T'`), or `deadlineMs` passed; its state then. */
export async function waitState(pid: number, states: string, deadlineMs: number): Promise<string | undefined> {
  const end = performance.now() + deadlineMs
  for (;;) {
    const state = procState(pid)
    if ((state !== undefined && states.includes(state)) || performance.now() >= end) return state
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * After `exited` resolved, the peer (a direct child of this worker) must be reaped: no /proc
 * entry at all, not even a zombie.
 */
export async function expectReaped(peer: Peer): Promise<void> {
  await peer.exited
  expect(procState(peer.pid), `peer ${peer.name} (pid ${peer.pid}) is still in /proc after exited`).toBeUndefined()
}

/** Starts a peer that is stopped after the test, and checks then that its process was reaped. */
export async function startTracked(options: PeerOptions = {}): Promise<Peer> {
  const peer = await startPeer(options)
  track(peer)
  return peer
}

/** Stops `peer` when the current test finishes, and checks that its process was reaped. */
export function track(peer: Peer): Peer {
  onTestFinished(() => stopAndExpectReaped(peer))
  return peer
}

/** Stops `peer` and checks that its process was reaped. */
export async function stopAndExpectReaped(peer: Peer): Promise<void> {
  await peer.stop()
  await expectReaped(peer)
}

/** Sinks of the tests capturing the engine's process warnings now. */
const warningSinks = new Set<(warning: Error & { code?: string }) => void>()
let warningsWrapped = false

/**
 * Collects the engine's process warnings (`VITEST_PEER_*`) raised during the current test, instead
 * of printing them: a test that asserts a warning shows none in the run's output. Warnings nobody
 * captures still print, so an unexpected one is seen.
 */
export function captureWarnings(): (Error & { code?: string })[] {
  if (!warningsWrapped) {
    warningsWrapped = true
    const emitWarning = process.emitWarning
    process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
      const code = typeof rest[0] === 'object' ? (rest[0] as { code?: unknown } | null)?.code : rest[1]
      if (typeof code === 'string' && code.startsWith('VITEST_PEER_') && warningSinks.size > 0) {
        const captured = Object.assign(typeof warning === 'string' ? new Error(warning) : warning, { code })
        captured.name = 'Warning'
        for (const sink of warningSinks) sink(captured)
        return
      }
      return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest)
    } as typeof process.emitWarning
  }
  const warnings: (Error & { code?: string })[] = []
  const sink = (warning: Error & { code?: string }) => warnings.push(warning)
  warningSinks.add(sink)
  onTestFinished(() => {
    warningSinks.delete(sink)
  })
  return warnings
}

/** Lets queued ticks run (process warnings are emitted on a later tick than they are raised). */
export function flushTicks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Resolves when `file` exists (fs.watch on its folder, no polling). */
export function waitForFile(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(file), () => {
      if (existsSync(file)) {
        watcher.close()
        resolve()
      }
    })
    watcher.on('error', reject)
    if (existsSync(file)) {
      watcher.close()
      resolve()
    }
  })
}

/** The next event `name` of a peer. */
export function nextEvent<T extends unknown[]>(peer: Peer, name: string): Promise<T> {
  return new Promise((resolve) => {
    ;(peer as unknown as { once(name: string, fn: (...args: unknown[]) => void): void }).once(name, (...args) =>
      resolve(args as T),
    )
  })
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected the promise to reject, it resolved')
}
