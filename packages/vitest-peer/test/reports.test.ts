// Runs the `report` fixture project in a child Vitest with the JUnit, JSON and GitHub Actions
// reporters, then checks what each reporter shows for passing, failing, crashing, timed-out and
// concurrent tests, and that no peer outlived the run.
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type ChildRun, fixture, type PeerRecord, startVitest } from './helpers/child-vitest.js'
import { type JunitCase, junitCases } from './helpers/junit.js'
import { alive } from './helpers/proc.js'

let run: ChildRun
let cases: Map<string, JunitCase>
let json: any
let peers: PeerRecord[]

beforeAll(async () => {
  // Optional: a Node 22 binary for a peer that is not the Node running this suite.
  run = startVitest('report', { env: { VP_NODE22: process.env.VITEST_PEER_NODE22 ?? '' }, terminal: 'verbose' })
  const status = await run.exited
  expect(status.code, run.stdout() + run.stderr()).toBe(1)
  cases = junitCases(run.junit())
  json = run.json()
  peers = run.peers()
})
afterAll(() => run?.dispose())

const junitCase = (name: string): JunitCase => {
  const found = cases.get(name)
  if (!found) throw new Error(`no testcase "${name}" in the JUnit output`)
  return found
}
const jsonCase = (title: string) => json.testResults[0].assertionResults.find((r: any) => r.title === title)
const peerOf = (test: string): PeerRecord => {
  const found = peers.find((p) => p.test === test)
  if (!found) throw new Error(`no peer recorded for "${test}"`)
  return found
}
/** Replace what changes from run to run (pids, unique numbers, temp folders, dates). */
const normalize = (text: string) =>
  text
    .replaceAll(run.dir, '<run>')
    .replaceAll(fixture('report'), '<fixture>')
    .replace(/-\d+-\d+\b/g, '-<n>-<pid>')
    .replace(/pid \d+/g, 'pid <pid>')
    .replace(/ \/\S*\/runtime\.cjs /g, ' <runtime> ')
    .replace(/cwd: {5}\S+/, 'cwd:     <cwd>')
    .replace(/(command: )\S*setpriv --pdeathsig KILL -- /, '$1')
    .replace(/\/\S*\/node /g, '<node> ')

describe('a child Vitest run with peers', () => {
  test('leaves no peer alive, including the timed-out test', () => {
    expect(peers.map((p) => p.test).sort()).toEqual(
      [
        'A',
        'B',
        'calls TypeScript relative to the test file',
        'fails with a crashed peer',
        'fails with a running peer',
        'passes with a peer',
        'peerDown crash fails the test',
        'times out',
        'usePeer gets them, as startPeer does',
        ...(process.env.VITEST_PEER_NODE22 ? ['calls TypeScript in a Node 22 peer'] : []),
      ].sort(),
    )
    expect(alive(peers.map((p) => p.pid))).toEqual([])
  })

  test("a failed test's JUnit failure holds its peer's command line, environment and last 20 lines", () => {
    const peer = peerOf('fails with a crashed peer')
    const report = junitCase('fails with a crashed peer').failures.find((f) => f.type === 'PeerDiagnosticsError')
    expect(report).toBeDefined()
    const text = report!.text
    expect(text).toContain(`peer ${peer.name} (pid ${peer.pid}): down before the test ended: exited with code 1`)
    expect(text).toMatch(
      new RegExp(`command: (\\S*setpriv --pdeathsig KILL -- )?\\S*node .*--vitest-peer-name ${peer.name} `),
    )
    expect(text).toContain('env:     VP_FIXTURE=1 API_TOKEN=<redacted> EXTRA=yes')
    expect(text).toContain('| crash line 25')
    expect(text).toContain('| Error: boom in the peer')
    expect(text).not.toMatch(/\| crash line 5$/m) // only the last 20 lines
    expect(run.junit()).not.toContain('hunter2')
  })

  test('the crash report of a peer that died of an uncaught exception is listed and on disk', () => {
    const meta = jsonCase('fails with a crashed peer').meta.vitestPeer
    expect(meta.peers).toHaveLength(1)
    const [report] = meta.peers[0].crashReports
    expect(report).toMatch(
      new RegExp(`^${run.dir}/out/report\\.test\\.ts/fails_with_a_crashed_peer/report\\.[\\d.]+\\.json$`),
    )
    expect(existsSync(report)).toBe(true)
  })

  test("the JSON reporter carries each failed test's peers in task.meta, and nothing for passing tests", () => {
    const failed = jsonCase('fails with a running peer')
    const peer = peerOf('fails with a running peer')
    expect(failed.meta.vitestPeer.peers).toMatchObject([
      {
        name: peer.name,
        pid: peer.pid,
        state: 'running',
        cause: 'stopped',
        exitCode: 0,
        signal: null,
        env: { VP_FIXTURE: '1', API_TOKEN: '<redacted>' },
        output: ['last words of the running peer'],
        crashReports: [],
      },
    ])
    expect(failed.meta.vitestPeer.peers[0].command).toContain(`--vitest-peer-name ${peer.name}`)
    // The report points at the test's declaration (the fixture started the peer, not the body).
    const source = readFileSync(`${fixture('report')}/report.test.ts`, 'utf8').split('\n')
    const line = source.findIndex((l) => l.startsWith("test('fails with a running peer'")) + 1
    expect(
      normalize(failed.failureMessages[1]).replace(`report.test.ts:${line}:1`, 'report.test.ts:<test line>:1'),
    ).toMatchInlineSnapshot(`
      "PeerDiagnosticsError: 1 peer of this test:

      peer report-fails_with_a_running_peer-<n>-<pid> (pid <pid>): running when the test ended, then stopped (exited with code 0)
        command: <node> --report-on-fatalerror --report-uncaught-exception --report-directory=<run>/out/report.test.ts/fails_with_a_running_peer <runtime> --vitest-peer-name report-fails_with_a_running_peer-<n>-<pid> --vitest-peer-connection ipc
        cwd:     <cwd>
        env:     VP_FIXTURE=1 API_TOKEN=<redacted>
        last line of output:
          | last words of the running peer
          at vitest-peer (<fixture>/report.test.ts:<test line>:1)"
    `)
    for (const title of ['passes with a peer', 'calls TypeScript relative to the test file', 'A', 'B']) {
      const passed = jsonCase(title)
      expect(passed.status).toBe('passed')
      expect(passed.meta.vitestPeer).toBeUndefined()
      expect(passed.failureMessages).toEqual([])
    }
  })

  test('the report shows once per error listing, with no "Serialized Error" repeat of its data', () => {
    const peer = peerOf('fails with a running peer')
    const header = `peer ${peer.name} (pid ${peer.pid}): running when the test ended`
    const report = junitCase('fails with a running peer').failures.find((f) => f.type === 'PeerDiagnosticsError')
    expect(report?.text.split(header)).toHaveLength(2)
    for (const [, c] of cases)
      for (const f of c.failures)
        if (f.type === 'PeerDiagnosticsError') expect(f.text).not.toContain('Serialized Error')
    // The verbose reporter prints each failed test's errors under it, then again in the summary.
    expect(run.stdout().split(header)).toHaveLength(3)
    expect(run.stdout()).not.toMatch(/Serialized Error: .*crashReports/)
  })

  test('passing tests carry no report in JUnit', () => {
    for (const name of [
      'passes with a peer',
      'calls TypeScript relative to the test file',
      'concurrent > A',
      'concurrent > B',
    ]) {
      expect(junitCase(name).failures).toEqual([])
    }
  })

  test('GitHub Actions annotations point at the test file', () => {
    const annotations = run
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('::error '))
    const file = `${fixture('report')}/report.test.ts`
    for (const name of ['fails with a crashed peer', 'fails with a running peer', 'times out']) {
      const peer = peerOf(name)
      expect(
        annotations.some(
          (a) =>
            a.startsWith(`::error file=${file},title=report.test.ts > ${name},`) &&
            a.includes(`PeerDiagnosticsError: 1 peer of this test:%0A%0Apeer ${peer.name}`),
        ),
      ).toBe(true)
    }
    expect(
      annotations.some(
        (a) =>
          a.startsWith(`::error file=${file},title=report.test.ts > peerDown crash fails the test,`) &&
          a.includes('::PeerDownError'),
      ),
    ).toBe(true)
  })

  test("peerDown: 'crash' fails a test whose body passed", () => {
    const failure = junitCase('peerDown crash fails the test').failures[0]
    expect(failure?.type).toBe('PeerDownError')
    expect(failure?.text).toContain(`peer ${peerOf('peerDown crash fails the test').name} went down: killed by SIGKILL`)
  })

  test("a timed-out test's peer is stopped by the test's signal and reported", () => {
    const failures = junitCase('times out').failures
    expect(failures[0]?.text).toContain('Test timed out in 1500ms')
    expect(jsonCase('times out').meta.vitestPeer.peers[0]).toMatchObject({ state: 'running', cause: 'stopped' })
  })

  test('output is printed under the test that owns the peer, concurrent tests included', () => {
    expect(junitCase('passes with a peer').systemOut).toContain('| hello from the passing peer')
    expect(junitCase('fails with a running peer').systemErr).toContain('| last words of the running peer')
    const a = junitCase('concurrent > A').systemOut
    const b = junitCase('concurrent > B').systemOut
    expect(a).toContain(`${peerOf('A').name} | output of A`)
    expect(a).not.toContain('output of B')
    expect(b).toContain(`${peerOf('B').name} | output of B`)
    expect(b).not.toContain('output of A')
    for (const [name, c] of cases)
      if (name !== 'passes with a peer') expect(c.systemOut).not.toContain('hello from the passing peer')
  })

  test('echo: true also writes the output live to stderr, prefixed with the name', () => {
    expect(run.stderr()).toContain(`${peerOf('A').name} | output of A\n`)
    expect(run.stderr()).not.toContain(`${peerOf('B').name} | output of B\n`)
  })

  test('two concurrent usePeer() tests get distinct peers, each torn down with its own test', () => {
    // B checks inside the child run that A's peer was stopped while B (and its peer) still ran.
    expect(peerOf('A').name).not.toBe(peerOf('B').name)
    expect(peerOf('A').name).toMatch(/^report-A-\d+-\d+$/)
    expect(jsonCase('A').status).toBe('passed')
    expect(jsonCase('B').status).toBe('passed')
  })

  test('usePeer() in a test with overridden peerOptions gets them (checked inside the child run)', () => {
    const result = jsonCase('usePeer gets them, as startPeer does')
    expect(result.status, result.failureMessages.join('\n')).toBe('passed')
    expect(peerOf('usePeer gets them, as startPeer does').name).toMatch(
      /^report-usePeer_gets_them_as_startPeer_does-\d+-\d+$/,
    )
  })
})

describe('the TAP reporter (replaced by the plugin)', () => {
  /** A YAML literal block scalar's text: its lines below `key: |-`, less their common indentation. */
  const literalBlock = (lines: string[], at: number): string => {
    const key = lines[at]!.search(/\S/)
    const body: string[] = []
    for (const line of lines.slice(at + 1)) {
      if (line.trim() !== '' && line.search(/\S/) <= key) break
      body.push(line)
    }
    const indent = body.find((l) => l.trim() !== '')!.search(/\S/)
    return body.map((l) => l.slice(indent)).join('\n')
  }

  test("keeps a failure report's lines, in one YAML block per test", async () => {
    const tap = startVitest('report', { terminal: 'tap', args: ['-t', 'fails with a running peer'] })
    try {
      await tap.exited
      const lines = tap.stdout().split('\n')
      const point = lines.findIndex((l) => /^\s*not ok \d+ - fails with a running peer\b/.test(l))
      const end = lines.findIndex((l, i) => i > point && l.trim() === '...')
      const block = lines.slice(point + 1, end)
      expect(block.filter((l) => l.trim() === '---')).toHaveLength(1)
      const message = block.findIndex(
        (l, i) => l.trim() === 'message: |-' && block[i - 1]?.trim() === '- name: "PeerDiagnosticsError"',
      )
      expect(message).toBeGreaterThan(-1)
      // The same text as the JSON reporter's, less its `name: ` prefix and its stack line.
      const fromJson = tap
        .json()
        .testResults[0].assertionResults.find((r: any) => r.title === 'fails with a running peer')
        .failureMessages[1] as string
      const report = fromJson.replace(/^PeerDiagnosticsError: /, '').replace(/\n {4}at vitest-peer .*$/, '')
      expect(report.split('\n').length).toBeGreaterThan(5)
      expect(literalBlock(block, message)).toBe(report)
    } finally {
      tap.dispose()
    }
  })
})
