// Vitest main process: the folder where a run's peers write their V8 coverage. One per Vitest main
// process, named with its pid and start time under the OS temp folder, so that every project of
// the run finds the same one and a later run can tell an abandoned one.
import { rmSync } from 'node:fs'
import { COVERAGE_PREFIX } from '../../constants.js'
import { deadRunFolders, runFolderOf } from '../../shared/run-folders.js'

/** The coverage folder of this Vitest main process. Node creates it when a peer first writes. */
export function coverageFolder(): string {
  return runFolderOf(COVERAGE_PREFIX)
}

/**
 * Delete the coverage folders of earlier runs whose main process is gone (killed, crashed) before
 * it could merge them. Without /proc the start time is unknown, and such a run is never judged gone.
 */
export function removeAbandonedFolders(): void {
  for (const { folder, startTime } of deadRunFolders(COVERAGE_PREFIX))
    if (startTime !== 'unknown') rmSync(folder, { recursive: true, force: true })
}
