// Runs the `shared` fixture project in a child Vitest: peers shared by a file and by a worker
// (`peerFixture`): one process per scope, set up once, named after the scope, in the failure
// report of every failing test of the scope, and gone at the end.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type ChildRun, type PeerRecord, startVitest } from './helpers/child-vitest.js'
import { alive } from './helpers/proc.js'

let run: ChildRun
let peers: PeerRecord[]
let json: any

beforeAll(async () => {
  run = startVitest('shared')
  const status = await run.exited
  // One test fails on purpose.
  expect(status.code, run.stdout() + run.stderr()).toBe(1)
  peers = run.peers()
  json = run.json()
})
afterAll(() => run?.dispose())

const pidsOf = (prefix: string) => peers.filter((p) => p.test.startsWith(prefix))
const jsonCase = (file: string, title: string) =>
  json.testResults.find((r: any) => r.name.endsWith(`/${file}`)).assertionResults.find((r: any) => r.title === title)

describe('peerFixture', () => {
  test('every other test passes: setup ran once per file, relative to the defining file, with the plugin defaults', () => {
    const failed = json.testResults.flatMap((r: any) => r.assertionResults).filter((r: any) => r.status !== 'passed')
    expect(failed.map((r: any) => r.title)).toEqual(['fails while the broker is alive'])
  })

  test('a file-scoped peer is one process for every test of its file, another for another file', () => {
    const a = pidsOf('a ').filter((p) => p.test !== 'a own')
    expect(a).toHaveLength(3)
    expect(new Set(a.map((p) => p.pid)).size).toBe(1)
    const [b] = pidsOf('b broker')
    expect(b!.pid).not.toBe(a[0]!.pid)
    expect(pidsOf('a own')[0]!.pid).not.toBe(a[0]!.pid)
  })

  test('a worker-scoped peer is one process for the tests of its worker', () => {
    const pool = pidsOf('b pool')
    expect(pool).toHaveLength(2)
    expect(pool[0]!.pid).toBe(pool[1]!.pid)
  })

  test('names follow the scope: <file stem>-<label>, worker-<label>; a test-scoped label replaces the test name', () => {
    const name = (test: string) => peers.find((p) => p.test === test)!.name
    expect(name('a first')).toMatch(/^a-broker-\d+-\d+$/)
    expect(name('b broker')).toMatch(/^b-broker-\d+-\d+$/)
    expect(name('b pool')).toMatch(/^worker-pool-\d+-\d+$/)
    expect(name('a own')).toMatch(/^a-own-\d+-\d+$/)
  })

  test("a test that fails while the file's peer is alive carries it in its failure report", () => {
    const broker = peers.find((p) => p.test === 'a first')!
    const failed = jsonCase('a.test.ts', 'fails while the broker is alive')
    expect(failed.meta.vitestPeer.peers).toMatchObject([{ name: broker.name, pid: broker.pid, state: 'running' }])
    expect(run.junit()).toContain(`peer ${broker.name} (pid ${broker.pid}): running when the test ended`)
    expect(jsonCase('a.test.ts', 'second').meta.vitestPeer).toBeUndefined()
  })

  test('no peer outlived the run', () => {
    expect(peers.length).toBeGreaterThan(0)
    expect(alive(peers.map((p) => p.pid))).toEqual([])
  })
})
