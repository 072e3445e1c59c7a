// Warm-peer take time: how long a test's `peer` fixture takes to resolve (beforeEach to the test
// body) in a Vitest file with `warm: 2`, tests spaced so that a spare is ready for each, against
// the same file with `warm: 0` (a boot per test). p50 over the tests after the first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { percentile, row } from '../lib/stats.mjs'
import { runVitestFile } from '../lib/vitest.mjs'

export default async function warm({ sizes, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-take-'))
  try {
    const takes = {}
    const spares = {}
    for (const warmCount of ['2', '0']) {
      const out = join(dir, `take-${warmCount}.txt`)
      await runVitestFile({
        BENCH_KIND: 'take',
        BENCH_WARM: warmCount,
        BENCH_TAKE_OUT: out,
        BENCH_TAKE_TESTS: String(sizes.takeTests),
        BENCH_TAKE_GAP: String(sizes.takeGapMs),
      })
      const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1)
      takes[warmCount] = lines.map((line) => Number(line.split(' ')[0]))
      spares[warmCount] = lines.filter((line) => line.endsWith('spare')).length
    }
    const [warmP50, coldP50] = [percentile(takes['2'], 50), percentile(takes['0'], 50)]
    log(takes, 'handed a spare:', spares)
    return [
      row(
        'warm',
        `\`peer\` fixture, warm: 2, p50 (${spares['2']} of ${takes['2'].length} tests handed a spare)`,
        warmP50,
        'ms',
        coldP50,
        '`peer` fixture booting (warm: 0), p50',
        { on: 'value', max: 5 },
        { spares: spares['2'], tests: takes['2'].length },
      ),
      row(
        'warm',
        '`peer` fixture, warm: 2, p99',
        percentile(takes['2'], 99),
        'ms',
        percentile(takes['0'], 99),
        '`peer` fixture booting (warm: 0), p99',
      ),
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
