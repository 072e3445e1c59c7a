// Both sides: what /proc says about a process (Linux). Used to tell a live peer from a zombie
// and from a later process that reuses its pid before anything is killed. Elsewhere (no /proc)
// every answer is "unknown", and vitest-peer never kills what it cannot identify.
import { readFileSync } from 'node:fs'

/**
 * State letter, process group (field 5) and start time (field 22, clock ticks since boot) of
 * `pid`, or null if there is no such process.
 */
export function readStat(pid: number): { state: string; pgrp: number; startTime: string } | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0] ?? '?', pgrp: Number(fields[2]), startTime: fields[19] ?? '' }
}

/** The command line of `pid`, NULs as spaces, or null. */
export function readCmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return null
  }
}

/** `readStat` of a process that still runs; null when there is none or it is a zombie (Z) or dead (X). */
export function runningStat(pid: number): ReturnType<typeof readStat> {
  const stat = readStat(pid)
  return stat === null || stat.state === 'Z' || stat.state === 'X' ? null : stat
}

/** True if `pid` is alive and still the process that was recorded (same start time and command line). */
export function isSameProcess(pid: number, startTime: string | null, cmdline: string | null): boolean {
  const stat = runningStat(pid)
  if (stat === null || startTime === null || cmdline === null) return false
  return stat.startTime === startTime && readCmdline(pid) === cmdline
}
