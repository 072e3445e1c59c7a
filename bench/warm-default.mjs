// How many warm spares (`vitestPeer({ warm })`) pay off: `vitest run` of the file of 20 `peer`
// tests with warm = 0, 1, 2, 4, interleaved per round, with the cores as they are ("as is") and
// saturated by one busy loop per core started by this script. Prints medians and ratios to warm 0.
//   node warm-default.mjs     BENCH_WARM_ROUNDS (default 3), BENCH_WARM_VALUES (default 0,1,2,4)
import { spawn } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { linked } from './lib/raw.mjs'
import { median, rotate } from './lib/stats.mjs'
import { runVitestFile } from './lib/vitest.mjs'

const ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 3)
const VALUES = (process.env.BENCH_WARM_VALUES ?? '0,1,2,4').split(',')
delete process.env.NODE_EXTRA_CA_CERTS

function saturate() {
  const [exec, ...args] = linked(['-e', 'for (;;) {}'])
  const loops = cpus().map(() => spawn(exec, args, { stdio: 'ignore' }))
  return () => Promise.all(loops.map((l) => (l.kill('SIGKILL'), new Promise((r) => l.once('exit', r)))))
}

const lines = [
  '| cores | warm | `vitest run`, 20 `peer` tests, ms | × warm 0 | load before |',
  '| --- | --- | --- | --- | --- |',
]
for (const condition of ['as is', 'saturated']) {
  const load = loadavg()[0].toFixed(1)
  const stop = condition === 'saturated' ? saturate() : async () => {}
  try {
    await runVitestFile({ BENCH_KIND: 'peer', BENCH_WARM: '0' })
    const t = Object.fromEntries(VALUES.map((w) => [w, []]))
    for (let r = 0; r < ROUNDS; r++)
      for (const w of rotate(VALUES, r)) t[w].push(await runVitestFile({ BENCH_KIND: 'peer', BENCH_WARM: w }))
    const base = median(t[VALUES[0]])
    for (const w of VALUES)
      lines.push(`| ${condition} | ${w} | ${median(t[w]).toFixed(0)} | ${(median(t[w]) / base).toFixed(2)} | ${load} |`)
    console.error(lines.slice(-VALUES.length).join('\n'))
  } finally {
    await stop()
  }
}
console.log(lines.join('\n'))
