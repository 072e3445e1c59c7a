// A peer that a test restarts (`peer.restart()`), in a child Vitest run: the new peer is the
// test's (stopped when it ends, in its failure report after the old one, with the process the old
// one left behind; its output under the test; `peerDown: 'crash'` applies), the registry swaps the
// pids, and a peer of the file's scope restarted by a test is stopped with the scope. Checked in
// /proc: nothing is left running, and nothing was reported as leaked.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChildRun, type PeerRecord, startVitest } from './helpers/child-vitest.js'
import { junitCases } from './helpers/junit.js'
import { alive } from './helpers/proc.js'

let run: ChildRun
let peers: PeerRecord[]
let results: any[]

beforeAll(async () => {
  run = startVitest('restart', { terminal: 'verbose' })
  const status = await run.exited
  expect(status.code, run.stdout() + run.stderr()).toBe(1)
  peers = run.peers()
  results = run.json().testResults.flatMap((file: any) => file.assertionResults)
})
afterAll(() => run?.dispose())

const statusOf = (title: string) => results.find((r) => r.title === title)?.status
const pidsOf = (test: string) => peers.filter((p) => p.test === test).map((p) => p.pid)

test('the new peer belongs to the test, and the registry knows it instead of the old one', () => {
  expect(statusOf('the new peer belongs to the test; the registry swaps the pids'), run.stdout()).toBe('passed')
  expect(pidsOf('passes')).toHaveLength(2)
})

test("a failed test's report shows the old peer, restarted, then the new one; both outputs are under the test", () => {
  const [old, next] = pidsOf('fails')
  const [escaped] = pidsOf('escaped')
  const junit = junitCases(run.junit()).get('restarted peers > fails with a restarted peer')!
  const report = junit.failures.find((f) => f.type === 'PeerDiagnosticsError')!.text
  expect(report).toContain('2 peers of this test:')
  expect(report).toMatch(
    new RegExp(
      `peer \\S+ \\(pid ${old}\\): down before the test ended: stopped \\(exited with code 0\\); restarted as pid ${next}\\n`,
    ),
  )
  expect(report).toMatch(new RegExp(`peer \\S+ \\(pid ${next}\\): running when the test ended, then stopped`))
  // The old one's detached child is killed at the end of the test and listed under the old one.
  expect(report.slice(0, report.indexOf(`(pid ${next})`))).toContain(`${escaped} (`)
  expect(junit.systemOut).toMatch(/\| said by the old peer\n[\s\S]*\| said by the new peer/)
  const meta = results.find((r) => r.title === 'fails with a restarted peer').meta.vitestPeer.peers
  expect(meta.map((p: any) => [p.pid, p.restartedAs])).toEqual([
    [old, next],
    [next, null],
  ])
})

test("peerDown: 'crash' applies to the restarted peer", () => {
  const failure = results.find((r) => r.title === 'peerDown crash applies to the restarted peer')
  expect(failure.status).toBe('failed')
  expect(failure.failureMessages.join('\n')).toContain('PeerDownError')
})

test('a peer of the file scope restarted by a test: the next test gets the old value, the scope stops the new one', () => {
  expect(statusOf('a test restarts it'), run.stdout()).toBe('passed')
  expect(
    statusOf("the next test gets the fixture's value, the old peer; the scope still owns the new one"),
    run.stdout(),
  ).toBe('passed')
})

test('nothing is left running, and nothing leaked', () => {
  expect(alive(peers.map((p) => p.pid))).toEqual([])
  expect(run.stdout() + run.stderr()).not.toContain('leaked')
})
