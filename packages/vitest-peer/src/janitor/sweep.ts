// Janitor process: what the run's janitor (src/main/run-janitor.ts) runs once the Vitest main
// process is gone before its run finished, as `node janitor.mjs <run folder> <pid>…`, the pids
// being the peers the janitor's shell has just SIGKILLed. It says so on the run's stderr, sweeps
// the registry again with its full checks (start time and command line: pids are reused) for
// anything the shell did not kill, removes the folder and exits.
import { rmSync, writeSync } from 'node:fs'
import { describeLeak, readRecords, sweep } from '../shared/registry.js'

const [run, ...pids] = process.argv.slice(2)
if (run !== undefined) {
  const killedByShell = new Set(pids.map(Number))
  const records = readRecords(run)
    .map(({ record }) => record)
    .filter((record) => killedByShell.has(record.pid))
  const killed = [...records, ...sweep(run, () => true)]
  rmSync(run, { recursive: true, force: true })
  for (const record of killed) {
    try {
      // The run's stderr may be gone with the main process; the kills are done already.
      writeSync(2, `${describeLeak(record, 'after the Vitest main process died')}\n`)
    } catch {}
  }
}
