// Janitor process: what the run's janitor (src/main/run-janitor.ts) runs once the Vitest main
// process is gone before its run finished, as `node janitor.mjs <run folder>`. It SIGKILLs every
// peer the run's registry still holds (each checked against its recorded start time and command
// line first: pids are reused), says so on the run's stderr, removes the folder and exits.
import { rmSync, writeSync } from 'node:fs'
import { describeLeak, sweep } from '../shared/registry.js'

const run = process.argv[2]
if (run !== undefined) {
  const killed = sweep(run, () => true)
  rmSync(run, { recursive: true, force: true })
  for (const record of killed) {
    try {
      // The run's stderr may be gone with the main process: the kills come first, then the words.
      writeSync(2, `${describeLeak(record, 'after the Vitest main process died')}\n`)
    } catch {}
  }
}
