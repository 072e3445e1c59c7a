// Test support (test:reliability): what /proc says about processes. A process is named by its pid
// and its start time (field 22 of /proc/<pid>/stat), so that a later process reusing the pid is
// never taken for it, nor killed. Gone means: no /proc entry, a zombie (this machine's PID 1 does
// not reap orphans), or another start time under that pid.
import { readdirSync, readFileSync } from 'node:fs'

const { setTimeout } = globalThis

/** One process, told apart from a later one with its pid by its start time. */
export interface Proc {
  pid: number
  start: string
}

/** State, parent and start time of `pid`, or undefined when there is no such process. */
export function stat(pid: number): { state: string; ppid: number; start: string } | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0] ?? '?', ppid: Number(fields[1]), start: fields[19] ?? '' }
}

/** The process `pid` is now; undefined when it has no /proc entry. */
export function procOf(pid: number): Proc | undefined {
  const s = stat(pid)
  return s === undefined ? undefined : { pid, start: s.start }
}

export function isGone(proc: Proc): boolean {
  const s = stat(proc.pid)
  return s === undefined || s.state === 'Z' || s.state === 'X' || s.start !== proc.start
}

/**
 * Polls /proc every millisecond until every process is gone or `limitMs` has passed since `from`
 * (a `performance.now()` time, e.g. the moment of a kill). Returns when each was first seen gone
 * (ms after `from`), and those still alive at the limit. A deadline, not a sleep: it returns as
 * soon as all are gone.
 */
export async function watchGone(
  procs: Proc[],
  from: number,
  limitMs: number,
): Promise<{ goneAfter: Map<Proc, number>; alive: Proc[] }> {
  const goneAfter = new Map<Proc, number>()
  for (;;) {
    const now = performance.now()
    for (const proc of procs) if (!goneAfter.has(proc) && isGone(proc)) goneAfter.set(proc, now - from)
    const alive = procs.filter((p) => !goneAfter.has(p))
    if (alive.length === 0 || now - from >= limitMs) return { goneAfter, alive }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** SIGKILL each process that is not gone (cleanup; one that dies meanwhile is no error). */
export function killAll(procs: Proc[]): void {
  for (const proc of procs) {
    if (isGone(proc)) continue
    try {
      process.kill(proc.pid, 'SIGKILL')
    } catch {}
  }
}

/** Pids of the children of `pid` (all its threads'). */
export function childrenOf(pid: number): number[] {
  const pids: number[] = []
  let tasks: string[] = []
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return pids
  }
  for (const task of tasks) {
    try {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      for (const child of children.split(/\s+/)) if (child) pids.push(Number(child))
    } catch {}
  }
  return pids
}

/** The command line of `pid` as its arguments, or [] when it is gone. */
export function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return []
  }
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length
}
