// Both sides: the processes a peer started that outlive it (Linux). The engine ends a peer's
// descendants with it, except those that left its process group or session on purpose (setsid,
// a `detached: true` spawn, a daemon that double-forks). Those are found by what they inherit:
// each peer gets a token of its own in an environment variable (its cookie), which every process
// it starts keeps unless it is given a fresh environment, whatever its session, group or parent.
// Jenkins finds a build's daemons the same way: "processes in the system that inherit these
// environment variables"
// (https://github.com/jenkinsci/jenkins/blob/f1b548a12b19f0ee8d032aba848c2b873a21bc21/core/src/main/java/hudson/util/ProcessTree.java).
// A sweep after the origin died may also look for the members of a peer's process group that are
// still alive (the origin's janitor ends them, unless it was killed too), cookie or not.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { COOKIE_ENV, FREEZE_ROUNDS } from '../constants.js'
import { readCmdline, runningStat } from './proc.js'

// Captured at load: a test may stub `process.kill` or fake the timers.
const kill = process.kill.bind(process)
const { setTimeout } = globalThis

/** Between two looks at /proc while waiting for killed processes to be gone. */
const POLL_MS = 5

const MARKER = Buffer.from(`${COOKIE_ENV}=`)

/**
 * The processes alive at one moment before a peer started (`processesNow`), which a scan for that
 * peer's descendants may skip: a process alive then and at the scan is the same process, unless
 * its pid was freed and handed out again in between. Linux hands out pids upward from the last one
 * it gave (`ns_last_pid`) and comes back to lower ones only after `pid_max`; every pid the counter
 * passes is either handed out (each new task counts in /proc/stat's `processes`) or in use by a
 * task that is either counted there or was alive at the snapshot above the last pid. So while the
 * tasks created since, plus those snapshot pids, stay below the distance from the last pid to
 * `pid_max`, no pid of the snapshot can have come around. Otherwise the scan reads every process.
 */
export interface Snapshot {
  pids: ReadonlySet<number>
  /** /proc/stat's `processes` (tasks created since boot) when it was taken. */
  created: number
  /** How many more tasks may be created before a pid of the snapshot might be handed out again. */
  budget: number
}

/** What marks the processes looked for. */
export interface Marks {
  cookies: ReadonlySet<string>
  /** Processes to skip (see `Snapshot`). */
  earlier?: Snapshot
  /**
   * Process groups, each with the start time of the peer that leads it: a member that started
   * before it cannot be one of its descendants.
   */
  groups?: ReadonlyMap<number, string>
}

/** A process that holds one of the cookies looked for, or is a member of one of the groups. */
export interface Descendant {
  pid: number
  /** Field 22 of /proc/<pid>/stat: compared again before any signal (pids are reused). */
  startTime: string
  /** /proc/<pid>/cmdline with NULs as spaces. */
  cmdline: string
  /** The cookie it holds (of those looked for), or null if it was found by its group. */
  cookie: string | null
  /** Its process group. */
  pgrp: number
}

/** A new cookie for one peer. */
export function newCookie(): string {
  return randomBytes(9).toString('base64url')
}

/**
 * The value of the cookie variable for a peer with cookie `cookie`: the cookies this process
 * inherited (a Vitest run inside a peer) and its own, space-separated, so that an outer run finds
 * the peers of an inner one too.
 */
export function cookieVariable(cookie: string, inherited = process.env[COOKIE_ENV]): string {
  return inherited ? `${inherited} ${cookie}` : cookie
}

/** The tasks created since boot (/proc/stat's `processes`), or undefined where it cannot be read. */
function tasksCreated(): number | undefined {
  try {
    const match = /^processes (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

/** The processes alive now, for later scans to skip; undefined where Linux does not say enough. */
export function processesNow(): Snapshot | undefined {
  // In this order: a task created after `created` was read counts in the budget's use, and one
  // that got a pid above `last` before the listing counts in `above`.
  const created = tasksCreated()
  let last: number
  let max: number
  let entries: string[]
  try {
    last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'))
    max = Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1'))
    entries = readdirSync('/proc')
  } catch {
    return undefined
  }
  if (created === undefined || !(last > 0 && max > last)) return undefined
  const pids = new Set<number>()
  let above = 0
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0) continue
    pids.add(pid)
    if (pid > last) above++
  }
  return { pids, created, budget: max - last - above }
}

/** `snapshot`'s pids, if they are still the processes they were (see `Snapshot`). */
function stillTheSame(snapshot: Snapshot | undefined): ReadonlySet<number> | undefined {
  if (snapshot === undefined) return undefined
  const created = tasksCreated()
  return created !== undefined && created - snapshot.created < snapshot.budget ? snapshot.pids : undefined
}

/** The live processes (zombies excluded) that `marks` picks; never this process. */
export function findDescendants({ cookies, groups = new Map(), earlier }: Marks): Descendant[] {
  if (cookies.size === 0 && groups.size === 0) return []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const skip = stillTheSame(earlier)
  const found: Descendant[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || skip?.has(pid)) continue
    const cookie = cookieOf(pid, cookies) ?? null
    if (cookie === null && groups.size === 0) continue
    const stat = runningStat(pid)
    if (stat === null) continue
    if (cookie === null) {
      const leaderStart = groups.get(stat.pgrp)
      if (leaderStart === undefined || Number(stat.startTime) < Number(leaderStart)) continue
    }
    const cmdline = readCmdline(pid)
    if (cmdline !== null) found.push({ pid, startTime: stat.startTime, cmdline, cookie, pgrp: stat.pgrp })
  }
  return found
}

/** Which of `cookies` process `pid` holds, from /proc/<pid>/environ (unreadable for other users' processes). */
function cookieOf(pid: number, cookies: ReadonlySet<string>): string | undefined {
  let environ: Buffer
  try {
    environ = readFileSync(`/proc/${pid}/environ`)
  } catch {
    return undefined
  }
  let at = environ.indexOf(MARKER)
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(MARKER, at + 1)
  if (at === -1) return undefined
  const end = environ.indexOf(0, at)
  const value = environ.toString('utf8', at + MARKER.length, end === -1 ? environ.length : end)
  return value.split(' ').find((token) => cookies.has(token))
}

/** Send `signal` to `d` if it is still the process that was found (same start time); false otherwise. */
function signal(d: Descendant, signal: NodeJS.Signals): boolean {
  if (runningStat(d.pid)?.startTime !== d.startTime) return false
  try {
    kill(d.pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * SIGKILL every process that `marks` picks; returns those killed. They are frozen first
 * (SIGSTOP), scan after scan until one finds no new process, so that none can start another
 * between the last scan and the kill; a process stopped meanwhile by someone else is killed all
 * the same (SIGKILL ends a stopped process).
 */
export function killDescendants(marks: Marks): Descendant[] {
  const frozen = new Map<number, Descendant>()
  for (let round = 0; round < FREEZE_ROUNDS; round++) {
    const fresh = findDescendants(marks).filter((d) => frozen.get(d.pid)?.startTime !== d.startTime)
    if (fresh.length === 0) break
    for (const d of fresh) if (signal(d, 'SIGSTOP')) frozen.set(d.pid, d)
  }
  return [...frozen.values()].filter((d) => signal(d, 'SIGKILL'))
}

/**
 * `killDescendants`, then wait until each killed process is gone (a zombie counts as gone: its
 * parent may be a PID 1 that does not reap), polling /proc, since they are not this process's
 * children. Resolves with those killed and the pids still alive after `deadlineMs`.
 */
export async function endDescendants(
  marks: Marks,
  deadlineMs: number,
): Promise<{ killed: Descendant[]; alive: number[] }> {
  const killed = killDescendants(marks)
  const end = performance.now() + deadlineMs
  for (;;) {
    const alive = killed.filter((d) => runningStat(d.pid)?.startTime === d.startTime).map((d) => d.pid)
    if (alive.length === 0 || performance.now() >= end) return { killed, alive }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
