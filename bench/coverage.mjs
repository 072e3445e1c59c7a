// pnpm bench, coverage section: what `vitest run --coverage` costs a suite whose code runs in peers.
// bench/coverage-suite/ holds 20 cases of one TypeScript module, run once in a peer per test
// (peers.test.ts) and once in the test's own process (inprocess.test.ts). Each file is run as a
// child `vitest run`, with and without `--coverage` (v8, json reporter), the four runs alternating
// for ROUNDS rounds; the table shows medians of wall time and their ratios. It also measures what one
// peer pays with NODE_V8_COVERAGE set (boot, and stop, when Node writes the file) against without:
// with coverage off vitest-peer adds nothing to a peer, so its boot is the engine's (the table above).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPeer } from '@vitest-peer/core'

const ROUNDS = Number(process.env.BENCH_COVERAGE_ROUNDS ?? 2)
const BOOTS = Number(process.env.BENCH_BOOTS ?? 12)
const root = fileURLToPath(new URL('./coverage-suite/', import.meta.url))
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const scratch = mkdtempSync(join(tmpdir(), 'vp-bench-coverage-'))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** The environment of a fresh Vitest run: none of this process's Vitest or npm variables. */
function childEnv() {
  const env = {}
  for (const [key, value] of Object.entries(process.env))
    if (!/^(VITEST|TEST$|NODE_ENV$|p?npm_)/i.test(key)) env[key] = value
  // Node 20 parses this bundle at every start, peers included: noise, not coverage.
  delete env.NODE_EXTRA_CA_CERTS
  return env
}

/** Wall time (ms) of `vitest run` on one test file, with or without coverage. */
function runVitest(file, coverage) {
  const args = [vitest, 'run', '--root', root, '--reporter=dot', file]
  if (coverage)
    args.push('--coverage', '--coverage.reporter=json', `--coverage.reportsDirectory=${join(scratch, 'report')}`)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (text) => (err += text))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started)
      else reject(new Error(`vitest run ${file}${coverage ? ' --coverage' : ''} exited ${code}\n${err}`))
    })
  })
}

/** Median boot and stop (ms) of a bare peer, with `env`. */
async function peerTimes(env) {
  const boot = []
  const stop = []
  for (let i = 0; i < BOOTS + 2; i++) {
    const t0 = performance.now()
    const peer = await startPeer({ env })
    const t1 = performance.now()
    await peer.stop()
    const t2 = performance.now()
    if (i >= 2) boot.push(t1 - t0), stop.push(t2 - t1)
  }
  return { boot: median(boot), stop: median(stop) }
}

const runs = [
  ['in-process', 'inprocess.test.ts', false],
  ['in-process --coverage', 'inprocess.test.ts', true],
  ['peers', 'peers.test.ts', false],
  ['peers --coverage', 'peers.test.ts', true],
]
const times = Object.fromEntries(runs.map(([name]) => [name, []]))
try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    // Round 0 warms the file system cache and Vite's (the runs without coverage are enough for
    // that); it is not counted.
    const order =
      round === 0 ? runs.filter(([, , coverage]) => !coverage) : round % 2 === 0 ? runs : [...runs].reverse()
    for (const [name, file, coverage] of order) {
      const ms = await runVitest(file, coverage)
      if (round > 0) times[name].push(ms)
    }
  }
  const plain = await peerTimes({ NODE_EXTRA_CA_CERTS: undefined })
  const covered = await peerTimes({ NODE_EXTRA_CA_CERTS: undefined, NODE_V8_COVERAGE: join(scratch, 'peers') })

  const ms = (name) => median(times[name])
  console.log(`\ncoverage from peers (20 tests, ${ROUNDS} rounds of child \`vitest run\`; medians)\n`)
  console.log('| suite | without coverage ms | --coverage ms | coverage ratio |')
  console.log('| --- | --- | --- | --- |')
  for (const [label, base] of [
    ['in-process (20 tests)', 'in-process'],
    ['peers (20 tests, 20 peers)', 'peers'],
  ]) {
    const off = ms(base)
    const on = ms(`${base} --coverage`)
    console.log(`| ${label} | ${off.toFixed(0)} | ${on.toFixed(0)} | ${(on / off).toFixed(2)} |`)
  }
  console.log(
    `\npeers against in-process: ${(ms('peers') / ms('in-process')).toFixed(2)}× without coverage, ${(ms('peers --coverage') / ms('in-process --coverage')).toFixed(2)}× with it; coverage adds ${(ms('peers --coverage') - ms('peers')).toFixed(0)} ms to the peers' run, ${(ms('in-process --coverage') - ms('in-process')).toFixed(0)} ms to the in-process one`,
  )
  console.log(`\none bare peer (${BOOTS} starts; medians)\n`)
  console.log('| peer | boot ms | stop ms |')
  console.log('| --- | --- | --- |')
  console.log(`| without NODE_V8_COVERAGE | ${plain.boot.toFixed(1)} | ${plain.stop.toFixed(1)} |`)
  console.log(`| with NODE_V8_COVERAGE | ${covered.boot.toFixed(1)} | ${covered.stop.toFixed(1)} |`)
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ times, plain, covered }))
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
