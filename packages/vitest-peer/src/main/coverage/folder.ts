// Vitest main process: the folder where a run's peers write their V8 coverage. One per Vitest main
// process, named with its pid and start time (pids are reused) under the OS temp folder, so that
// every project of the run finds the same one and a later run can tell an abandoned one.
import { readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { COVERAGE_PREFIX } from '../../constants.js'
import { readStat, runningStat } from '../../shared/proc.js'

/** The coverage folder of the Vitest main process `pid`. Node creates it when a peer first writes. */
export function coverageFolder(pid = process.pid): string {
  return join(tmpdir(), `${COVERAGE_PREFIX}${pid}-${readStat(pid)?.startTime ?? 'unknown'}`)
}

/**
 * Delete the coverage folders of earlier runs whose main process is gone (killed, crashed) before
 * it could merge them. Only folders owned by this user are touched.
 */
export function removeAbandonedFolders(): void {
  const uid = process.getuid?.()
  let names: string[]
  try {
    names = readdirSync(tmpdir())
  } catch {
    return
  }
  const pattern = new RegExp(`^${COVERAGE_PREFIX}(\\d+)-(\\S+)$`)
  for (const name of names) {
    const match = pattern.exec(name)
    // Without /proc the start time is unknown, and an unknown run is never judged abandoned.
    if (!match || match[2] === 'unknown') continue
    const folder = join(tmpdir(), name)
    try {
      if (uid !== undefined && statSync(folder).uid !== uid) continue
    } catch {
      continue
    }
    if (runningStat(Number(match[1]))?.startTime === match[2]) continue
    rmSync(folder, { recursive: true, force: true })
  }
}
