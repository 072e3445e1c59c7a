// Origin side: a peer's process tree. Every peer leads a process group of its own (command.ts),
// and the processes it starts stay in that group unless they leave it on purpose (setsid(2) or
// setpgid(2): a `detached: true` spawn, a shell with job control). So one kill(2) of the group
// reaches the peer and its descendants together, for pausing, resuming and ending them, and
// works after the peer itself is gone: a group lives as long as one of its members does.
// The group's id is the peer's pid. Linux does not hand out a pid that is still in use as a
// process group id, so the group named by a peer's pid is that peer's for as long as any member
// of it lives; once it is empty, kill(2) of it fails with ESRCH.
import { readdirSync, readFileSync } from 'node:fs'

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setTimeout } = globalThis

/** Between two looks at /proc while waiting for processes to stop or to die. */
const POLL_MS = 2

/**
 * Send `signal` to every process of group `pgid` (0: only check); false when none could be
 * signalled: the group has no member left (ESRCH), or none this user may signal (EPERM: a
 * set-user-ID program the peer ran, which is not this origin's to end). Windows has no process
 * groups: nothing is signalled there.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (process.platform === 'win32') return false
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * SIGKILL every process of group `pgid` and resolve once none is alive, or with the pids still
 * alive after `deadlineMs` (a process in uninterruptible sleep dies only when it wakes). A
 * zombie counts as gone: a killed descendant is reparented to init, which reaps it, or, where
 * PID 1 does not reap, stays a zombie forever.
 */
export async function endGroup(pgid: number, deadlineMs: number): Promise<number[]> {
  // ESRCH, the common case: the peer started nothing that outlived it.
  if (!signalGroup(pgid, 'SIGKILL')) return []
  const end = performance.now() + deadlineMs
  for (;;) {
    const alive = groupMembers(pgid)
    if (alive.length === 0 || performance.now() >= end) return alive
    await delay(POLL_MS)
    signalGroup(pgid, 'SIGKILL')
  }
}

/**
 * Resolve once process `pid` shows as stopped in /proc (SIGSTOP takes effect when the process is
 * next scheduled), is gone, `giveUp()` says to stop waiting, or `deadlineMs` passed. Without
 * /proc (not Linux), at once.
 */
export async function waitStopped(pid: number, deadlineMs: number, giveUp: () => boolean): Promise<void> {
  const end = performance.now() + deadlineMs
  for (;;) {
    const state = procState(pid)
    if (state === undefined || state === 'T' || state === 't' || state === 'Z') return
    if (giveUp() || performance.now() >= end) return
    await delay(POLL_MS)
  }
}

/**
 * Pids of the live (not zombie) members of group `pgid`, from /proc. Where there is no /proc, a
 * group that still accepts a signal is taken as alive, and its members are unknown (`[pgid]`).
 */
function groupMembers(pgid: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return signalGroup(pgid, 0) ? [pgid] : []
  }
  const members: number[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0) continue
    const fields = statFields(pid)
    // Fields after the command: state (3rd field of stat(5)), ppid, pgrp.
    if (fields !== undefined && Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(pid)
  }
  return members
}

/** The state letter of process `pid` (`R`, `S`, `T`, `Z`, …), or undefined when it has no /proc entry. */
function procState(pid: number): string | undefined {
  return statFields(pid)?.[0]
}

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
