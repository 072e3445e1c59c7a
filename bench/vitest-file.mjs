// Bench: wall time of `vitest run` on one file of 20 tests (vitest-file/), interleaved per round:
// plain tests, tests spawning a bare child each, `peer` tests, `peer` tests with warm spares, and
// tests sharing one file-scoped peer. Prints per-kind medians and ratios from the same rounds.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROUNDS = Number(process.env.BENCH_FILE_ROUNDS ?? 3)
const root = fileURLToPath(new URL('./vitest-file', import.meta.url))
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const kinds = [
  ['plain', {}],
  ['bare', {}],
  ['peer', {}],
  ['warm', { BENCH_KIND: 'peer', BENCH_WARM: process.env.BENCH_WARM ?? '2' }],
  ['shared', {}],
]
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const times = Object.fromEntries(kinds.map(([k]) => [k, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [kind, extra] of kinds) {
    const env = { ...process.env, BENCH_KIND: kind, ...extra }
    for (const key of Object.keys(env)) if (/^VITEST/.test(key)) delete env[key]
    const started = performance.now()
    const run = spawnSync(process.execPath, [vitest, 'run', '--root', root, '--reporter=dot'], {
      env,
      encoding: 'utf8',
    })
    if (run.status !== 0) throw new Error(`${kind}: vitest failed\n${run.stdout}${run.stderr}`)
    times[kind].push(performance.now() - started)
  }
}
const plain = median(times.plain)
const bare = median(times.bare)
const rows = kinds.map(([kind]) => ({
  kind,
  ms: Math.round(median(times[kind])),
  vsPlain: +(median(times[kind]) / plain).toFixed(2),
  vsBare: +(median(times[kind]) / bare).toFixed(2),
}))
console.table(rows)
if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify({ vitestFile: rows })}\n`)
