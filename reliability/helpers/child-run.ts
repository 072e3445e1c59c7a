// Test support (test:reliability): child Vitest runs of project/ (a test that starts peers over
// every connection, and processes of their own, then waits or spins), each in a process group of
// its own, up to the moment their peers run: the processes to kill and to watch, each with its
// start time. A single run holds one trial; a batch run holds many, one test file each, every file
// in a fresh worker.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RUN_JANITOR_NAME } from '../../packages/vitest-peer/src/main/run-janitor.js'
import { argvOf, childrenOf, killAll, type Proc, procOf } from './proc.js'

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const PROJECT = fileURLToPath(new URL('../project/', import.meta.url))
/** A child run that has not started its peers by then is broken, not slow. */
const READY_LIMIT_MS = 60_000

/** The processes of one trial, once its peers run. */
export interface Trial {
  /** `wait` (the worker waits on a promise) or `spin` (it spins in a synchronous loop). */
  mode: 'wait' | 'spin'
  worker: Proc
  peers: { label: string; proc: Proc }[]
  /** What the first peer started: those in its process group (the one in a session of its own is `escapee`). */
  descendants: Proc[]
  escapee: Proc
}

export interface ChildRun {
  child: ChildProcess
  main: Proc
  /** The run's janitor (vitest-peer's globalSetup starts it). */
  janitor: Proc | undefined
  exited: Promise<void>
  /** What the run wrote on stderr so far. */
  stderr(): string
  /** Kill whatever of the run is still alive and remove its files. */
  dispose(): void
}

interface Started extends ChildRun {
  /** The next trial whose peers run (in the order they get ready), or a rejection if the run ends first. */
  next(): Promise<Trial>
}

function startRun(env: Record<string, string>, dir: string, pidsDir: string, cleanup: string[]): Started {
  const childEnv: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!/^(VITEST|TEST$|NODE_ENV$)/.test(key)) childEnv[key] = value
  Object.assign(childEnv, env, { REL_OUT_DIR: join(dir, 'out'), NO_COLOR: '1' })
  const child = spawn(process.execPath, [VITEST, 'run', '--root', PROJECT, '--reporter=dot'], {
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  let ended = false
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  exited.then(() => (ended = true))
  const main = procOf(child.pid!)!
  const seen: Proc[] = [main]
  const taken = new Set<string>()
  let janitor: Proc | undefined
  const watcher = watch(pidsDir)
  watcher.on('error', () => {})
  exited.then(() => watcher.close())
  const run: Started = {
    child,
    main,
    get janitor() {
      return janitor
    },
    exited,
    stderr: () => stderr,
    dispose() {
      watcher.close()
      killAll([...seen].reverse())
      for (const path of [dir, ...cleanup]) rmSync(path, { recursive: true, force: true })
    },
    next() {
      return new Promise<Trial>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer)
          watcher.off('change', check)
        }
        const check = () => {
          const ready = readdirSync(pidsDir)
            .filter((name) => name.endsWith('.ready') && !taken.has(name))
            .sort()[0]
          if (ready === undefined) return
          taken.add(ready)
          done()
          try {
            const trial = readTrial(join(pidsDir, ready.replace(/\.ready$/, '')))
            seen.push(trial.worker, ...trial.peers.map((p) => p.proc), ...trial.descendants, trial.escapee)
            if (janitor === undefined) {
              const pid = childrenOf(main.pid).find((p) => argvOf(p).includes(RUN_JANITOR_NAME))
              janitor = pid === undefined ? undefined : procOf(pid)
              if (janitor !== undefined) seen.push(janitor)
            }
            resolve(trial)
          } catch (error) {
            reject(error)
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no peers after ${READY_LIMIT_MS} ms:\n${stderr}`))
        }, READY_LIMIT_MS)
        watcher.on('change', check)
        exited.then(() => {
          check()
          if (ended) {
            done()
            reject(new Error(`the child run ended before its peers ran:\n${stderr}`))
          }
        })
        check()
      })
    },
  }
  return run
}

function readTrial(pidsFile: string): Trial {
  const lines = readFileSync(pidsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
  const descendants = lines
    .filter((l) => l.descendant !== undefined)
    .map((l) => ({ pid: l.descendant as number, start: l.start as string }))
  const escapeeLine = lines.find((l) => l.escapee !== undefined)
  const peers = lines
    .filter((l) => l.pid !== undefined)
    .map((l) => ({
      label: `${typeof l.connection === 'string' ? l.connection : Object.keys(l.connection)[0]}${l.detached ? ' (detached)' : ''}`,
      proc: { pid: l.pid as number, start: l.start as string },
    }))
  const workerLine = lines.find((l) => l.worker !== undefined && l.pid === undefined)
  return {
    mode: basename(pidsFile).includes('spin') ? 'spin' : 'wait',
    worker: { pid: workerLine.worker as number, start: workerLine.start as string },
    peers,
    descendants,
    escapee: { pid: escapeeLine.escapee as number, start: escapeeLine.start as string },
  }
}

/** A child run of one trial whose worker, once its peers run, waits (`wait`) or spins (`spin`). */
export async function startChildRun(mode: 'wait' | 'spin'): Promise<ChildRun & { trial: Trial }> {
  const dir = mkdtempSync(join(tmpdir(), 'rel-run-'))
  const pidsFile = join(dir, `trial-${mode}`)
  const run = startRun({ REL_PIDS_FILE: pidsFile, REL_WORKER: mode }, dir, dir, [])
  try {
    const trial = await run.next()
    return { ...run, janitor: run.janitor, trial }
  } catch (error) {
    run.dispose()
    throw error
  }
}

/**
 * A child run of `count` trials, one test file each (alternately waiting and spinning), `workers`
 * at a time. `next()` gives each trial as its peers run; it waits until the parent ends its worker.
 */
export function startBatchRun(count: number, workers: number): ChildRun & { next(): Promise<Trial> } {
  const dir = mkdtempSync(join(tmpdir(), 'rel-batch-'))
  const pidsDir = join(dir, 'pids')
  mkdirSync(pidsDir)
  // The test files live under project/ (they import its trial module); the folder is removed after.
  const files = mkdtempSync(join(PROJECT, 'batch-'))
  for (let i = 0; i < count; i++) {
    const name = `${String(i).padStart(2, '0')}-${i % 2 === 0 ? 'wait' : 'spin'}.test.ts`
    writeFileSync(join(files, name), "import { linkedTrial } from '../trial.js'\n\nlinkedTrial()\n")
  }
  const run = startRun(
    { REL_BATCH_DIR: basename(files), REL_PIDS_DIR: pidsDir, REL_MAX_WORKERS: String(workers) },
    dir,
    pidsDir,
    [files],
  )
  if (!existsSync(files)) throw new Error('the batch folder is gone')
  return run
}
