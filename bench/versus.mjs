// node versus.mjs <other build's dist/index.mjs>: this workspace's engine against another build
// of it (e.g. the main branch's, built in a checkout of its own), in the same run, samples
// interleaved A B B A … so that machine noise hits both alike. Per connection: boot (startPeer
// until running), stop (stop() of an idle peer), and stop of a peer that started a `sleep` which
// inherited its stdout and stderr (a descendant). Medians, the ratio of the medians, the median
// of the ratios of back-to-back pairs, and the CPU time the peer process used until it ran
// (Linux: utime + stime from /proc, in clock ticks of 10 ms, so only its mean says anything).
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { startPeer } from '@vitest-peer/core'

const other = process.argv[2]
if (!other) throw new Error('usage: node versus.mjs <path of the other build: packages/peer-core/dist/index.mjs>')
const engines = { this: startPeer, other: (await import(pathToFileURL(other).href)).startPeer }
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40)
const connections = (process.env.BENCH_CONNECTIONS ?? 'ipc,stdio').split(',')
delete process.env.NODE_EXTRA_CA_CERTS

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Starts a `sleep` in the peer that holds its stdout and stderr; resolves with its pid. */
function spawnSleep() {
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise((resolve) => {
        const child = spawn('sleep', ['30'], { stdio: ['ignore', 'inherit', 'inherit'] })
        child.once('spawn', () => resolve(child.pid))
      }),
  )
}

/** CPU time used by process `pid` so far, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function sample(start, connection) {
  let t = performance.now()
  const peer = await start({ connection })
  const boot = performance.now() - t
  const bootCpu = cpuMs(peer.pid)
  t = performance.now()
  await peer.stop()
  const stop = performance.now() - t
  const parent = await start({ connection })
  const sleep = await parent.evaluate(spawnSleep)
  t = performance.now()
  await parent.stop()
  const stopWithChild = performance.now() - t
  try {
    process.kill(sleep, 'SIGKILL') // the other engine leaves it running
  } catch {}
  return { boot, bootCpu, stop, stopWithChild }
}

console.log(`this workspace vs ${other}: ${SAMPLES} samples per engine and connection, interleaved; medians (ms)`)
console.log('| connection | measure | this | other | this / other (medians) | median of pair ratios |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const connection of connections) {
  const results = { this: [], other: [] }
  for (let i = 0; i < SAMPLES + 2; i++) {
    const order = i % 2 === 0 ? ['this', 'other'] : ['other', 'this']
    for (const which of order) {
      const result = await sample(engines[which], connection)
      if (i >= 2) results[which].push(result)
    }
  }
  for (const measure of ['boot', 'stop', 'stopWithChild']) {
    const a = median(results.this.map((r) => r[measure]))
    const b = median(results.other.map((r) => r[measure]))
    const pairs = median(results.this.map((r, i) => r[measure] / results.other[i][measure]))
    const row = [connection, measure, a.toFixed(1), b.toFixed(1), (a / b).toFixed(3), pairs.toFixed(3)]
    console.log(`| ${row.join(' | ')} |`)
  }
  const mean = (xs) => xs.reduce((sum, x) => sum + x, 0) / xs.length
  const a = mean(results.this.map((r) => r.bootCpu))
  const b = mean(results.other.map((r) => r.bootCpu))
  console.log(`| ${connection} | boot CPU (mean) | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(3)} | |`)
}
