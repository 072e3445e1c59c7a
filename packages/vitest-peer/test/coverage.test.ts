// Runs the `coverage` fixture project in a child Vitest, once with `--coverage` (the v8 provider,
// its json reporter) and once without. Its sources run only inside peers: with coverage, what the
// peers ran is counted line by line, what no peer ran is not, and `coverage.exclude` holds; without
// it, peers start exactly as before (no NODE_V8_COVERAGE, no extra flag, no folder).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type ChildRun, fixture, startVitest } from './helpers/child-vitest.js'
import { alive } from './helpers/proc.js'

const root = fixture('peer-coverage')

interface FileCoverage {
  statementMap: Record<string, { start: { line: number; column: number } }>
  s: Record<string, number>
  fnMap: Record<string, { name: string }>
  f: Record<string, number>
}

/** Hits per line, as istanbul's reporters count lines: the most hits of a statement starting on it. */
function lineHits(file: FileCoverage, from: number, to: number): Record<number, number> {
  const lines: Record<number, number> = {}
  for (const [id, { start }] of Object.entries(file.statementMap)) {
    if (start.line < from || start.line > to) continue
    lines[start.line] = Math.max(lines[start.line] ?? 0, file.s[id]!)
  }
  return lines
}

const functionHits = (file: FileCoverage) =>
  Object.fromEntries(Object.entries(file.fnMap).map(([id, { name }]) => [name, file.f[id]]))

/** What each recorded peer saw: its NODE_V8_COVERAGE and its Node flags (the run's folder as `<dir>`). */
const peerEnv = (run: ChildRun): { test: string; coverage: string | null; execArgv: string[] }[] =>
  readFileSync(join(run.dir, 'peer-env.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .map((seen) => ({ ...seen, execArgv: seen.execArgv.map((arg: string) => arg.replaceAll(run.dir, '<dir>')) }))

const coverageFolders = (pid: number) =>
  readdirSync(tmpdir()).filter((n) => n.startsWith(`vitest-peer-coverage-${pid}-`))

async function finished(run: ChildRun): Promise<void> {
  const status = await run.exited
  const results = run.json().testResults.flatMap((file: any) => file.assertionResults)
  expect(results.filter((r: any) => r.status !== 'passed').map((r: any) => r.title)).toEqual([])
  expect(results).toHaveLength(14)
  expect(status.code, run.stdout() + run.stderr()).toBe(0)
  expect(alive(run.peers().map((p) => p.pid))).toEqual([])
}

test('@vitest/coverage-v8 still converts with remapCoverage(url, wrapperLength, sources, functions)', async () => {
  // Not a public API (a private method of the provider): vitest-peer converts the peers' coverage
  // with it, so that it matches the workers'. Resolved as Vitest resolves the provider.
  const require = createRequire(join(root, 'package.json'))
  const module = await import(require.resolve('@vitest/coverage-v8'))
  const provider = await module.default.getProvider()
  expect(provider.name).toBe('v8')
  expect(typeof provider.isIncluded).toBe('function')
  expect(typeof provider.remapCoverage).toBe('function')
  expect(provider.remapCoverage.length).toBe(4)
})

describe('vitest run --coverage --coverage.provider=v8', () => {
  let run: ChildRun

  beforeAll(async () => {
    run = startVitest('peer-coverage', {
      args: (dir) => [
        '--coverage',
        '--coverage.provider=v8',
        '--coverage.reporter=json',
        `--coverage.reportsDirectory=${join(dir, 'coverage')}`,
      ],
    })
    await finished(run)
  }, 120_000)
  afterAll(() => run?.dispose())

  const report = () => {
    const json = JSON.parse(readFileSync(join(run.dir, 'coverage', 'coverage-final.json'), 'utf8'))
    return Object.fromEntries(Object.entries(json).map(([file, data]) => [relative(root, file), data as FileCoverage]))
  }

  test('code run only inside peers is covered line by line, merged across peers, tests, files and workers', () => {
    const files = report()
    expect(Object.keys(files).sort()).toEqual(['src/endings.ts', 'src/plain.js', 'src/shapes.ts'])
    // TypeScript, mapped back to the .ts lines: area() took the square branch, square() ran, the rest did not.
    expect(lineHits(files['src/shapes.ts']!, 13, 27)).toEqual({ 14: 1, 15: 1, 17: 0, 21: 1, 25: 0, 26: 0 })
    expect(functionHits(files['src/shapes.ts']!)).toEqual({ area: 1, square: 1, neverCalledTs: 0 })
    // JavaScript: greet() ran once in each of two peers.
    expect(lineHits(files['src/plain.js']!, 1, 10)).toEqual({ 3: 2, 4: 2, 8: 0, 9: 0 })
    expect(functionHits(files['src/plain.js']!)).toMatchObject({ greet: 2, neverCalledJs: 0 })
    for (const file of Object.values(files)) {
      const starts = Object.values(file.statementMap).map(({ start }) => `${start.line}:${start.column}`)
      expect(new Set(starts).size).toBe(starts.length)
    }
  })

  test('every way a peer ends writes its coverage, except a signal from outside', () => {
    expect(functionHits(report()['src/endings.ts']!)).toMatchObject({
      viaHalt: 1,
      viaGraceful: 1,
      viaClose: 1,
      viaLinkLoss: 1,
      viaUncaughtException: 1,
      viaUnhandledRejection: 1,
      viaProcessExit: 1,
      viaOwnSignal: 1,
      viaSigterm: 0,
      viaSigkill: 0,
    })
  })

  test('a cut-off coverage file is left out with one warning, and the folder is gone after the run', () => {
    const warnings = run
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('vitest-peer:'))
    expect(warnings).toEqual([
      'vitest-peer: the coverage file of 1 peer process (pid 424242) is cut off (killed while Node wrote it); that coverage is left out of the report.',
    ])
    const [seen] = peerEnv(run)
    expect(seen?.coverage).toMatch(new RegExp(`/vitest-peer-coverage-${run.child.pid}-\\d+$`))
    expect(existsSync(seen!.coverage!)).toBe(false)
  })

  test('without --coverage, peers start as before: no NODE_V8_COVERAGE, the same flags, no coverage folder', async () => {
    const plain = startVitest('peer-coverage')
    try {
      await finished(plain)
      const [seen] = peerEnv(plain)
      expect(seen).toEqual({ ...peerEnv(run)[0], coverage: null })
      expect(coverageFolders(plain.child.pid!)).toEqual([])
    } finally {
      plain.dispose()
    }
  })
})
