// A Vitest file of 20 tests, `vitest run` wall time, kinds interleaved per round: plain tests,
// tests that each spawn a bare child and make one request (by hand), `peer` tests, `peer` tests
// with warm spares (`warm: 2`), and tests sharing one file-scoped peer. The smoke run runs three
// kinds (bare, warm, shared): every code path of the file, fewer Vitest starts.
import { SMOKE } from '../lib/sizes.mjs'
import { median, rotate, row } from '../lib/stats.mjs'
import { runVitestFile } from '../lib/vitest.mjs'

const kinds = {
  plain: { BENCH_KIND: 'plain' },
  bare: { BENCH_KIND: 'bare' },
  peer: { BENCH_KIND: 'peer' },
  warm: { BENCH_KIND: 'peer', BENCH_WARM: '2' },
  shared: { BENCH_KIND: 'shared' },
}

export default async function vitestFile({ sizes, log }) {
  const t = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]))
  const run = SMOKE ? ['bare', 'warm', 'shared'] : Object.keys(kinds)
  if (!SMOKE) await runVitestFile(kinds.plain) // warm the disk cache and Vite's transform cache
  for (let r = 0; r < sizes.fileRounds; r++) for (const k of rotate(run, r)) t[k].push(await runVitestFile(kinds[k]))
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]))
  log(m)
  const rows = [
    row('vitest-file', '20 `peer` tests', m.peer, 'ms', m.plain, '20 plain tests'),
    row('vitest-file', '20 `peer` tests', m.peer, 'ms', m.bare, '20 tests spawning bare children'),
    row('vitest-file', '20 `peer` tests, warm: 2', m.warm, 'ms', m.bare, '20 tests spawning bare children', {
      max: 1.0,
    }),
    row('vitest-file', '20 tests sharing a file-scoped peer', m.shared, 'ms', m.plain, '20 plain tests', { max: 1.2 }),
  ]
  return rows.filter((r) => Number.isFinite(r.value) && Number.isFinite(r.floor))
}
