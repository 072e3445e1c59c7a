// pnpm bench: the engine against the floor (the same mechanism with no peer library: a bare Node
// child on the same channel, JSON IPC, `node -e 0`, Erlang/OTP's `peer` when installed), measured
// in one run, interleaved, reported as ratios. Each section runs in a process of its own
// (bench/sections/*.mjs); round-trip sections are pinned to one core with `taskset`, because on a
// VM a round trip between processes on two idle vCPUs pays a wake-up that measures the scheduler,
// not the path. NODE_EXTRA_CA_CERTS is removed for every section but "boot, on", which shows what
// it costs. Prints a markdown table and writes it, with the JSON, to bench/results/.
//   node run.mjs [--smoke]       BENCH_SMOKE=1 too: a few iterations of everything (CI)
//   BENCH_SECTIONS=boot,rtt      only these sections; BENCH_CONNECTIONS=ipc,stdio
// Then coverage.mjs (not in smoke runs; BENCH_COVERAGE=0 skips it): a suite of 20 peer tests with
// and without `vitest run --coverage`, against the same suite run in process; its own table.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { linked } from './lib/raw.mjs'
import { markdownTable } from './lib/report.mjs'

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0
const core = String(Math.max(0, cpus().length - 1))
const CA =
  process.env.NODE_EXTRA_CA_CERTS ||
  ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find(existsSync)

const sections = [
  { name: 'boot', arg: 'ca-off' },
  { name: 'boot', arg: 'ca-on', ca: true },
  { name: 'calls', pinned: true },
  { name: 'rtt', pinned: true },
  { name: 'throughput', pinned: true },
  { name: 'stop', pinned: true },
  { name: 'scale' },
  { name: 'memory' },
  { name: 'warm' },
  { name: 'proxy', pinned: true },
  { name: 'vitest-file' },
  { name: 'otp', arg: 'boot' },
  { name: 'otp', arg: 'rtt', pinned: true },
]
const only = process.env.BENCH_SECTIONS?.split(',')

function runSection({ name, arg, pinned, ca }) {
  const env = { ...process.env, BENCH_SMOKE: smoke ? '1' : '0' }
  delete env.NODE_EXTRA_CA_CERTS
  if (ca) env.NODE_EXTRA_CA_CERTS = CA
  let [exec, ...args] = linked([here('lib/section.mjs'), name, ...(arg ? [arg] : [])])
  if (pinned && taskset) [exec, ...args] = ['taskset', '-c', core, exec, ...args]
  const child = spawn(exec, args, { env, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const limit = setTimeout(() => child.kill('SIGKILL'), smoke ? 120_000 : 600_000)
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(limit)
      const line = out.split('\n').find((l) => l.startsWith('BENCH_ROWS '))
      if (code === 0 && line)
        resolve(JSON.parse(line.slice('BENCH_ROWS '.length)).map((r) => ({ ...r, pinned: !!pinned })))
      else resolve([{ section: name, what: arg ?? '', error: `exit ${code ?? signal}\n${out}` }])
    }),
  )
}

const started = new Date()
const loadBefore = loadavg()
const otpVersion = spawnSync(
  'erl',
  ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'],
  {
    encoding: 'utf8',
  },
).stdout
const rows = []
for (const section of sections) {
  if (only && !only.includes(section.name)) continue
  if (section.ca && !CA) {
    rows.push({ section: 'boot', what: 'NODE_EXTRA_CA_CERTS on', skipped: 'no CA bundle found to set it to' })
    continue
  }
  const label = `${section.name}${section.arg ? ` ${section.arg}` : ''}${section.pinned && taskset ? ` (taskset -c ${core})` : ''}`
  console.error(`bench: ${label}…`)
  const t = performance.now()
  rows.push(...(await runSection(section)))
  console.error(`bench: ${label} done in ${((performance.now() - t) / 1000).toFixed(1)} s`)
}
const loadAfter = loadavg()
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
  os: existsSync('/etc/os-release')
    ? /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]
    : process.platform,
  node: process.version,
  otp: otpVersion || null,
}
const meta = {
  date: started.toISOString(),
  seconds: Math.round((Date.now() - started.getTime()) / 1000),
  smoke,
  machine,
  load: { before: loadBefore.map((x) => +x.toFixed(2)), after: loadAfter.map((x) => +x.toFixed(2)) },
  pinned: taskset ? `taskset -c ${core}` : 'not pinned (no taskset)',
  caCerts: CA ?? null,
}
const header = [
  `vitest-peer bench, ${meta.date}${smoke ? ' (smoke: few iterations, numbers not meaningful)' : ''}, ${meta.seconds} s`,
  `machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, Erlang/OTP ${machine.otp ?? 'not installed'}`,
  `load average (1, 5, 15 min): before ${meta.load.before.join(', ')}; after ${meta.load.after.join(', ')}`,
  `round-trip sections (calls, rtt, throughput, stop, proxy, otp rtt): ${meta.pinned}; NODE_EXTRA_CA_CERTS removed except in "NODE_EXTRA_CA_CERTS on" rows (set to ${CA ?? '–'})`,
  'medians unless p99 is said; ratio = engine / floor; `met` against the target',
]
const markdown = `${header.join('  \n')}\n\n${markdownTable(rows)}\n`
for (const r of rows.filter((r) => r.skipped)) console.error(`bench: ${r.section}: ${r.skipped}`)
console.log(`\n${markdown}`)
const dir = here('results')
mkdirSync(dir, { recursive: true })
const stamp = meta.date.replace(/[:.]/g, '-')
const base = process.env.BENCH_OUT ?? `${dir}/bench-${stamp}${smoke ? '-smoke' : ''}`
writeFileSync(`${base}.json`, `${JSON.stringify({ ...meta, rows }, null, 2)}\n`)
writeFileSync(`${base}.md`, markdown)
console.error(`bench: wrote ${base}.json and ${base}.md`)
const failed = rows.filter((r) => r.error)
for (const r of failed) console.error(`bench: section ${r.section} ${r.what} failed: ${r.error}`)
process.exitCode = failed.length ? 1 : 0
if (!smoke && process.env.BENCH_COVERAGE !== '0') await import('./coverage.mjs')
