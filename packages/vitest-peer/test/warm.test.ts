// Runs the `warm` fixture project in a child Vitest: spare peers handed to tests' `peer`, one
// test each, renamed (inside too) before the test sees them, and none left after the run.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChildRun, startVitest } from './helpers/child-vitest.js'
import { alive } from './helpers/proc.js'

let run: ChildRun
let lines: { test: string; name: string; pid: number; command: string }[]

beforeAll(async () => {
  run = startVitest('warm')
  const status = await run.exited
  expect(status.code, run.stdout() + run.stderr()).toBe(0)
  lines = readFileSync(run.pidsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [test, name, pid, command] = line.split('\t')
      return { test: test!, name: name!, pid: Number(pid), command: command! }
    })
})
afterAll(() => run?.dispose())

const wasSpare = (command: string) => /--vitest-peer-name spare-warm-\d+-\d+/.test(command)

test("each test's peer is a spare of its own, renamed to the test's name (also inside the peer)", () => {
  const peers = lines.filter((l) => l.test.startsWith('peer '))
  expect(peers).toHaveLength(4)
  expect(peers.every((p) => wasSpare(p.command))).toBe(true)
  expect(new Set(peers.map((p) => p.pid)).size).toBe(4)
  for (const p of peers) expect(p.name).toMatch(new RegExp(`^warm-${p.test.replace(' ', '_')}-\\d+-\\d+$`))
})

test('a start with options of its own boots a peer', () => {
  const own = lines.find((l) => l.test === 'own options')!
  expect(wasSpare(own.command)).toBe(false)
})

test('no peer and no spare outlives the run', () => {
  expect(alive(lines.map((l) => l.pid))).toEqual([])
  // Spares not handed out: any process started with this run's spare report folder.
  const mark = `--report-directory=${run.dir}/out/spare/warm`
  const left = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(mark)
      } catch {
        return false
      }
    })
  expect(left).toEqual([])
  // Their shared crash-report folder went with the worker (nothing crashed in it).
  expect(existsSync(`${run.dir}/out/spare`)).toBe(false)
})
