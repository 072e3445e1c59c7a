// Test support (test:reliability): a child Vitest run of project/ (a test that starts peers over
// every connection, and processes of their own, then waits or spins) in a process group of its
// own, up to the moment its peers run: the processes to kill and to watch, each with its start
// time.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RUN_JANITOR_NAME } from '../../packages/vitest-peer/src/main/run-janitor.js'
import { waitForFile } from '../../packages/vitest-peer/test/helpers/files.js'
import { argvOf, childrenOf, killAll, type Proc, procOf } from './proc.js'

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const PROJECT = fileURLToPath(new URL('../project/', import.meta.url))
/** A child run that has not started its peers by then is broken, not slow. */
const READY_LIMIT_MS = 60_000

export interface ChildRun {
  child: ChildProcess
  main: Proc
  worker: Proc
  /** The run's janitor (vitest-peer's globalSetup starts it). */
  janitor: Proc | undefined
  peers: { label: string; proc: Proc }[]
  /** What the first peer started: those in its process group, and one in a session of its own. */
  descendants: Proc[]
  escapee: Proc
  exited: Promise<void>
  /** What the run wrote on stderr so far. */
  stderr(): string
  /** Kill whatever of the run is still alive and remove its files. */
  dispose(): void
}

/** Start a child run whose worker, once its peers run, waits (`wait`) or spins (`spin`). */
export async function startChildRun(worker: 'wait' | 'spin'): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rel-run-'))
  const pidsFile = join(dir, 'pids.jsonl')
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^(VITEST|TEST$|NODE_ENV$)/.test(key)) env[key] = value
  Object.assign(env, { REL_PIDS_FILE: pidsFile, REL_WORKER: worker, REL_OUT_DIR: join(dir, 'out'), NO_COLOR: '1' })
  const child = spawn(process.execPath, [VITEST, 'run', '--root', PROJECT, '--reporter=dot'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const main = procOf(child.pid!)!
  const seen: Proc[] = [main]
  const dispose = () => {
    killAll([...seen].reverse())
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    let timer: ReturnType<typeof setTimeout> | undefined
    const failed = new Promise<never>((_, reject) => {
      exited.then(() => reject(new Error(`the child run ended before its peers ran:\n${stderr}`)))
      timer = setTimeout(() => reject(new Error(`no peers after ${READY_LIMIT_MS} ms:\n${stderr}`)), READY_LIMIT_MS)
    })
    await Promise.race([waitForFile(`${pidsFile}.ready`), failed]).finally(() => clearTimeout(timer))
    const lines = readFileSync(pidsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
    const descendants = lines
      .filter((l) => l.descendant !== undefined)
      .map((l) => ({ pid: l.descendant as number, start: l.start as string }))
    const escapeeLine = lines.find((l) => l.escapee !== undefined)
    const escapee = { pid: escapeeLine.escapee as number, start: escapeeLine.start as string }
    const peers = lines
      .filter((l) => l.pid !== undefined)
      .map((l) => ({
        label: `${typeof l.connection === 'string' ? l.connection : Object.keys(l.connection)[0]}${l.detached ? ' (detached)' : ''}`,
        proc: { pid: l.pid as number, start: l.start as string },
      }))
    const workerLine = lines.find((l) => l.worker !== undefined && l.pid === undefined)
    const workerProc = { pid: workerLine.worker as number, start: workerLine.start as string }
    const janitorPid = childrenOf(main.pid).find((pid) => argvOf(pid).includes(RUN_JANITOR_NAME))
    const janitor = janitorPid === undefined ? undefined : procOf(janitorPid)
    seen.push(workerProc, ...peers.map((p) => p.proc), ...descendants, escapee, ...(janitor ? [janitor] : []))
    return {
      child,
      main,
      worker: workerProc,
      janitor,
      peers,
      descendants,
      escapee,
      exited,
      stderr: () => stderr,
      dispose,
    }
  } catch (error) {
    dispose()
    throw error
  }
}
