// Both sides: the registry of live peers, one JSON file per peer pid in a folder per run and
// project. Workers write a record when a peer starts and remove it once the peer is reaped; the
// Vitest main process kills whatever is still recorded when its test or the run has ended, with
// the processes those peers started (descendants.ts), and the next run reaps the folders of runs
// whose main process died.
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REGISTRY_PREFIX } from '../constants.js'
import { type Descendant, killDescendants } from './descendants.js'
import { isSameProcess, runningStat } from './proc.js'
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
  /** SIGKILL the recorded peers `select` picks and the processes they started (see `sweep`). */
  sweep(select: (record: RegistryRecord) => boolean): Swept[]
}

/** What a sweep killed: a recorded peer, or (`descendant` set) a process that peer started. */
export type Swept = RegistryRecord & { descendant?: Descendant }

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
    remove(pid) {
      // One unlink(2) (rmSync would lstat first); a record already gone is no error.
      try {
        unlinkSync(join(folder, `${pid}.json`))
      } catch {}
    },
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
 * Kill (SIGKILL) every recorded peer that `select` picks and that is still the recorded process,
 * and every process it started that is still alive: those that hold its cookie (gone from its
 * process group and session or not), and the members of its process group; then drop their
 * records. Returns what it killed.
 */
export function sweep(folder: string, select: (record: RegistryRecord) => boolean): Swept[] {
  const killed: Swept[] = []
  const files: string[] = []
  const byCookie = new Map<string, RegistryRecord>()
  const byGroup = new Map<number, RegistryRecord>()
  for (const { file, record } of readRecords(folder)) {
    if (!select(record)) continue
    const alive = isSameProcess(record.pid, record.startTime, record.cmdline)
    if (alive) {
      try {
        kill(record.pid, 'SIGKILL')
        killed.push(record)
      } catch {}
    }
    if (record.cookie !== undefined) byCookie.set(record.cookie, record)
    // The group is the peer's while the peer runs or no process has its id: Linux gives no new
    // process the id of a group that still has members. A live process with that id that is not
    // the peer leads another group.
    if (record.pgid !== undefined && record.startTime !== null && (alive || runningStat(record.pgid) === null))
      byGroup.set(record.pgid, record)
    files.push(file)
  }
  const groups = new Map([...byGroup].map(([pgid, record]) => [pgid, record.startTime!]))
  // A peer just killed may still hold its cookie (not yet a zombie): it is reported once, as a peer.
  const peers = new Set(killed.map((record) => record.pid))
  for (const descendant of killDescendants({ cookies: new Set(byCookie.keys()), groups })) {
    const record = descendant.cookie === null ? byGroup.get(descendant.pgrp) : byCookie.get(descendant.cookie)
    if (record !== undefined && !peers.has(descendant.pid)) killed.push({ ...record, descendant })
  }
  // Dropped last: a sweep cut short leaves the records, and their cookies, to the reaper.
  for (const file of files) rmSync(file, { force: true })
  return killed
}

/**
 * Reap the run folders of earlier Vitest runs whose main process is gone (killed, crashed):
 * kill their recorded peers that still run, then delete the folders. Only folders owned by this
 * user are touched.
 */
export function reapDeadRuns(): Swept[] {
  const reaped: Swept[] = []
  for (const { folder } of deadRunFolders(REGISTRY_PREFIX)) {
    reaped.push(...sweep(folder, () => true))
    rmSync(folder, { recursive: true, force: true })
  }
  return reaped
}

/**
 * The owner (`testId`) of a spare peer's record, before its worker's pid. A spare never handed to
 * a test is no test's leak: it dies with its worker, and one still running when the run ends
 * (its worker still exiting) is killed without a report.
 */
export const SPARE_OWNER = 'spare:'

/** One line per leaked peer or process a peer started, for the terminal. */
export function describeLeak(swept: Swept, when: string): string {
  const what = swept.descendant
    ? `process ${describeProcess(swept.descendant.pid, swept.descendant.cmdline)} started by peer ${swept.name}`
    : `peer ${swept.name} (pid ${swept.pid})`
  return `vitest-peer: leaked ${what} of "${swept.test}" in ${swept.file} was still running ${when}; killed it with SIGKILL`
}

/** One line per peer or process a peer started that the reaper killed, for the terminal. */
export function describeReaped(swept: Swept): string {
  const what = swept.descendant
    ? `process ${describeProcess(swept.descendant.pid, swept.descendant.cmdline)} started by peer ${swept.name}`
    : `peer ${swept.name} (pid ${swept.pid})`
  return `vitest-peer: reaped ${what} left running by an earlier Vitest run that died`
}

/** `4242 (sleep 1000)`, the command line cut to a readable length. */
export function describeProcess(pid: number, command: string): string {
  return `${pid} (${command.length > 80 ? `${command.slice(0, 79)}…` : command})`
}
