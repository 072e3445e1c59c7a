// Both sides: the registry of live peers, one JSON file per peer pid in a folder per run and
// project. Workers write a record when a peer starts and remove it once the peer is reaped; the
// Vitest main process kills whatever is still recorded when its test or the run has ended, and
// the next run reaps the folders of runs whose main process died.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REGISTRY_PREFIX } from '../constants.js'
import { isSameProcess } from './proc.js'
import { deadRunFolders, runFolderOf } from './run-folders.js'
import type { RegistryRecord } from './types.js'

// Captured at load: a test may stub `process.kill`.
const kill = process.kill.bind(process)

/** The run folder of the Vitest main process `pid`, named with its start time (pids are reused). */
export function runFolder(pid = process.pid): string {
  return runFolderOf(REGISTRY_PREFIX, pid)
}

/**
 * The registry as a worker uses it: record each peer it starts, forget it once it is reaped, and
 * kill its own peers when the Vitest main process is gone. `registryAt(undefined)` is the
 * disabled one, which does nothing: without the plugin's safety net there is no folder.
 */
export interface Registry {
  /** Record a live peer. Never throws: a record that cannot be written only weakens the safety net. */
  add(record: RegistryRecord): void
  /** Forget the peer `pid` once it is reaped. */
  remove(pid: number): void
  /** SIGKILL the recorded peers `select` picks (see `sweep`); returns their records. */
  sweep(select: (record: RegistryRecord) => boolean): RegistryRecord[]
}

const DISABLED: Registry = { add() {}, remove() {}, sweep: () => [] }

/** The registry in `folder` (a run's project folder), or the disabled one when there is none. */
export function registryAt(folder: string | undefined): Registry {
  if (folder === undefined) return DISABLED
  return {
    add(record) {
      try {
        writeRecord(folder, record)
      } catch {}
    },
    remove: (pid) => rmSync(join(folder, `${pid}.json`), { force: true }),
    sweep: (select) => sweep(folder, select),
  }
}

/** Write the record of a live peer into `folder`. */
export function writeRecord(folder: string, record: RegistryRecord): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  writeFileSync(join(folder, `${record.pid}.json`), JSON.stringify(record), { mode: 0o600 })
}

/** Every record under `folder` (one level of project folders included). */
export function readRecords(folder: string): { file: string; record: RegistryRecord }[] {
  const found: { file: string; record: RegistryRecord }[] = []
  const visit = (dir: string, depth: number) => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      if (name.endsWith('.json')) {
        try {
          found.push({ file: path, record: JSON.parse(readFileSync(path, 'utf8')) as RegistryRecord })
        } catch {}
      } else if (depth > 0) visit(path, depth - 1)
    }
  }
  visit(folder, 1)
  return found
}

/**
 * Kill (SIGKILL) every recorded peer that `select` picks and that is still the recorded process;
 * drop the records of peers that are gone. Returns the records of the peers it killed.
 */
export function sweep(folder: string, select: (record: RegistryRecord) => boolean): RegistryRecord[] {
  const killed: RegistryRecord[] = []
  for (const { file, record } of readRecords(folder)) {
    if (!select(record)) continue
    if (isSameProcess(record.pid, record.startTime, record.cmdline)) {
      try {
        kill(record.pid, 'SIGKILL')
        killed.push(record)
      } catch {}
    }
    rmSync(file, { force: true })
  }
  return killed
}

/**
 * Reap the run folders of earlier Vitest runs whose main process is gone (killed, crashed):
 * kill their recorded peers that still run, then delete the folders. Only folders owned by this
 * user are touched.
 */
export function reapDeadRuns(): RegistryRecord[] {
  const reaped: RegistryRecord[] = []
  for (const { folder } of deadRunFolders(REGISTRY_PREFIX)) {
    reaped.push(...sweep(folder, () => true))
    rmSync(folder, { recursive: true, force: true })
  }
  return reaped
}

/** One line per leaked peer, for the terminal. */
export function describeLeak(record: RegistryRecord, when: string): string {
  return `vitest-peer: leaked peer ${record.name} (pid ${record.pid}) of "${record.test}" in ${record.file} was still running ${when}; killed it with SIGKILL`
}
