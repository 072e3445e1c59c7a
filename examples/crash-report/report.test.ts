// demo/jobs.test.ts fails on purpose: its peer crashes in the middle of a call. This test runs it
// in a child Vitest, expects exactly that failure, and checks what the failure report holds. With
// CRASH_REPORT_SHOW=1 (`pnpm example`) it also prints the report, as Vitest showed it.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const demo = fileURLToPath(new URL('./demo', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'crash-report-'))

let exitCode: number | null
let output = ''
let result: { status: string; failureMessages: string[] }
/** The failure report: the text of the PeerDiagnosticsError Vitest listed under the failed test. */
let report: string

beforeAll(async () => {
  // Keep only this run's crash reports (the plugin's outDir, `.vitest-peer` in the demo's root).
  rmSync(join(demo, '.vitest-peer'), { recursive: true, force: true })
  // A fresh Vitest run: none of this worker's Vitest variables may leak into it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TEST$|NODE_ENV$)/.test(key)))
  const json = join(scratch, 'report.json')
  const child = spawn(
    process.execPath,
    [VITEST, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`],
    {
      cwd: demo,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text))
  exitCode = await new Promise((resolve) => child.once('close', resolve))
  expect(existsSync(json), output).toBe(true)
  result = JSON.parse(readFileSync(json, 'utf8')).testResults[0].assertionResults[0]
  report = result.failureMessages.find((message) => message.startsWith('PeerDiagnosticsError')) ?? ''
})

afterAll(() => {
  if (process.env.CRASH_REPORT_SHOW && report) {
    console.log(`demo/jobs.test.ts failed as it should (vitest exited ${exitCode}); its failure report:\n\n${report}`)
  }
  rmSync(scratch, { recursive: true, force: true })
})

test('the demo fails, and only because its peer went down', () => {
  expect(exitCode, output).toBe(1)
  expect(result.status).toBe('failed')
  expect(result.failureMessages[0]).toMatch(/^PeerDownError: call \.\/worker\.ts#runJobs: exited with code 1/)
  expect(report).toMatch(
    /^PeerDiagnosticsError: 1 peer of this test:\n\npeer jobs-the_worker_makes_every_thumbnail-\d+-\d+ \(pid \d+\): /,
  )
})

test('the report shows the exit status', () => {
  expect(report).toMatch(/\(pid \d+\): down before the test ended: exited with code 1\n/)
})

test('the command line, to start the same peer by hand', () => {
  expect(report).toMatch(
    /\n {2}command: \S*node --report-on-fatalerror .* --vitest-peer-name jobs-the_worker_makes_every_thumbnail-\d+-\d+ /,
  )
})

test('the environment the test added, with secrets redacted', () => {
  expect(report).toContain('\n  env:     JOB_QUEUE=thumbnails API_TOKEN=<redacted>\n')
  expect(report).not.toContain('hunter2')
})

test('the last lines of output, the uncaught exception included', () => {
  expect(report).toMatch(/\n {2}last \d+ lines of output:\n/)
  expect(report).toContain('    | job 2: thumbnail of dog.png done\n')
  expect(report).toContain('    | Error: cannot make a thumbnail of party.gif: animated GIFs are not supported\n')
  expect(report).not.toContain('sea.jpg') // the job after the crash never ran
})

test("the path of Node's diagnostic report, written when the peer died", () => {
  const [, file] = report.match(/\n {2}crash reports:\n {4}(\S+\.json)\n/) ?? []
  expect(file).toMatch(/\/demo\/\.vitest-peer\/jobs\.test\.ts\/the_worker_makes_every_thumbnail\/report\.[\d.]+\.json$/)
  const diagnostic = JSON.parse(readFileSync(file!, 'utf8'))
  expect(diagnostic.header.trigger).toBe('Exception')
  expect(diagnostic.javascriptStack.message).toContain('cannot make a thumbnail of party.gif')
})
