// Vitest main process: folders under the OS temp folder that belong to one Vitest run, named
// `<prefix><main pid>-<start time>` (pids are reused; the start time is field 22 of /proc/<pid>/stat).
// The registry and the peers' coverage each keep one per run; a later run finds those whose main
// process is gone.
import { readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readStat, runningStat } from './proc.js'

/** The folder of the Vitest main process `pid` for `prefix`. */
export function runFolderOf(prefix: string, pid = process.pid): string {
  return join(tmpdir(), `${prefix}${pid}-${readStat(pid)?.startTime ?? 'unknown'}`)
}

/**
 * The folders for `prefix` of runs whose main process (same pid and start time) no longer runs,
 * owned by this user. `startTime` is `'unknown'` for a run started where there is no /proc.
 */
export function deadRunFolders(prefix: string): { folder: string; startTime: string }[] {
  const uid = process.getuid?.()
  let names: string[]
  try {
    names = readdirSync(tmpdir())
  } catch {
    return []
  }
  const pattern = new RegExp(`^${prefix}(\\d+)-(\\S+)$`)
  const dead: { folder: string; startTime: string }[] = []
  for (const name of names) {
    const match = pattern.exec(name)
    if (!match) continue
    const folder = join(tmpdir(), name)
    try {
      if (uid !== undefined && statSync(folder).uid !== uid) continue
    } catch {
      continue
    }
    if (runningStat(Number(match[1]))?.startTime === match[2]) continue
    dead.push({ folder, startTime: match[2]! })
  }
  return dead
}
