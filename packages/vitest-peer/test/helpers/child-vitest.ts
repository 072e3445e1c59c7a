// Test helper (parent side): run Vitest in a child process on a fixture project and collect what
// it wrote: exit status, terminal output, JUnit XML, JSON report, and the peers it recorded.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')

/** A fixture project folder under test/fixtures. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))

/** One line of a fixture's pids file: which test started which peer, in which worker. */
export interface PeerRecord {
  test: string
  name: string
  pid: number
  worker: number
}

export interface ChildRun {
  child: ChildProcess
  /** Scratch folder of this run: pids file, reports, out dir. */
  dir: string
  pidsFile: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stdout(): string
  stderr(): string
  peers(): PeerRecord[]
  junit(): string
  json(): any
  dispose(): void
}

/** Start `vitest run` on a fixture with a terminal reporter (`default` unless given) and the JUnit, JSON and GitHub Actions reporters. */
export function startVitest(
  name: string,
  options: {
    env?: Record<string, string>
    /** More arguments; a function gets the run's scratch folder (for output paths). */
    args?: string[] | ((dir: string) => string[])
    terminal?: 'default' | 'verbose' | 'tap'
  } = {},
): ChildRun {
  const dir = mkdtempSync(join(tmpdir(), `vp-${name}-`))
  const pidsFile = join(dir, 'pids.tsv')
  const env: NodeJS.ProcessEnv = {}
  // The child is a fresh Vitest run: none of this worker's Vitest variables may leak into it.
  for (const [key, value] of Object.entries(process.env)) if (!/^(VITEST|TEST$|NODE_ENV$)/.test(key)) env[key] = value
  // Node 20 parses the NODE_EXTRA_CA_CERTS bundle at every start: about 50 ms more per peer (Node 22 does not).
  delete env.NODE_EXTRA_CA_CERTS
  Object.assign(
    env,
    { VP_PIDS_FILE: pidsFile, VP_OUT_DIR: join(dir, 'out'), FORCE_COLOR: '0', NO_COLOR: '1' },
    options.env,
  )
  const args = [
    VITEST,
    'run',
    '--root',
    fixture(name),
    `--reporter=${options.terminal ?? 'default'}`,
    '--reporter=junit',
    '--reporter=json',
    '--reporter=github-actions',
    `--outputFile.junit=${join(dir, 'junit.xml')}`,
    `--outputFile.json=${join(dir, 'report.json')}`,
    ...(typeof options.args === 'function' ? options.args(dir) : (options.args ?? [])),
  ]
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  )
  const read = (file: string) => readFileSync(join(dir, file), 'utf8')
  return {
    child,
    dir,
    pidsFile,
    exited,
    stdout: () => out,
    stderr: () => err,
    peers: () => readPeers(pidsFile),
    junit: () => read('junit.xml'),
    json: () => JSON.parse(read('report.json')),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export function readPeers(file: string): PeerRecord[] {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {}
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [test, name, pid, worker] = line.split('\t')
      return { test: test!, name: name!, pid: Number(pid), worker: Number(worker) }
    })
}
