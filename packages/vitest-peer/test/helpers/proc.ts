// Test helper (parent side): is a process gone? /proc/<pid>/stat, with Z (zombie) counting as
// gone: where PID 1 does not reap orphans (some containers), an exited orphan stays a zombie.
// Read here on purpose rather than through src/shared/proc.ts: the tests judge the product's own
// liveness check.
import { readFileSync } from 'node:fs'

const { setTimeout } = globalThis

export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null
  } catch {
    return null
  }
}

export function isGone(pid: number): boolean {
  const state = processState(pid)
  return state === null || state === 'Z' || state === 'X'
}

/** The pids (of `pids`) that are still running. */
export const alive = (pids: number[]): number[] => pids.filter((pid) => !isGone(pid))

/**
 * Wait until every pid is gone, for processes this test cannot get an exit event from (they are
 * not its children). Polls /proc; `limitMs` only bounds a failure, it is not a synchronisation.
 */
export async function waitGone(pids: number[], limitMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + limitMs
  while (alive(pids).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  return alive(pids)
}
