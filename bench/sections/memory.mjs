// Idle RSS: a peer idle for 1 s after it runs, and a spare as vitest-peer's `warm` keeps it (one call made,
// so the ESM loader has started), against a bare child on the same channel; VmRSS from /proc.
import { readFileSync } from 'node:fs'
import { startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, row, sleep } from '../lib/stats.mjs'

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024

export default async function memory({ sizes, log }) {
  if (process.platform !== 'linux') return []
  const m = { engine: [], spare: [], raw: [] }
  for (let i = 0; i < sizes.memSamples; i++) {
    const engine = await startEngine('ipc')
    const spare = await startEngine('ipc')
    const raw = await startRaw('ipc')
    try {
      await spare.call()
      await sleep(sizes.memIdleMs)
      m.engine.push(rssMiB(engine.pid))
      m.spare.push(rssMiB(spare.pid))
      m.raw.push(rssMiB(raw.pid))
    } finally {
      await Promise.all([engine.stop(), spare.stop(), raw.kill()])
    }
  }
  log(median(m.engine), median(m.spare), median(m.raw))
  return [
    row('memory', 'idle RSS, ipc', median(m.engine), 'MiB', median(m.raw), 'bare child, idle', { on: 'diff', max: 6 }),
    row(
      'memory',
      'idle RSS of a warm spare (one call made), ipc',
      median(m.spare),
      'MiB',
      median(m.raw),
      'bare child, idle',
    ),
  ]
}
