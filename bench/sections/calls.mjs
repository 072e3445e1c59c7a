// Calls right after boot, on fresh processes: the first call (for the engine, a builtin's
// function, which the peer takes without Node's ESM loader when no module resolver is set) and
// the mean of calls 2–100, against a bare child's first request and requests 2–100 on the same
// channel. Then, on 'ipc' (the ESM loader's cost does not depend on the connection), the first
// call to a function of a module file (lib/echo.mjs), which both sides must import(): right after
// boot, and after both sides sat idle for IDLE_MS (the peer starts the loader when idle after its
// boot; a bare child imports on demand). Pinned to one core by the orchestrator.
import { setTimeout as sleep } from 'node:timers/promises'
import { perCall, startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, row } from '../lib/stats.mjs'

const IDLE_MS = 50

async function sample(start) {
  const side = await start()
  try {
    const t = process.hrtime.bigint()
    await side.call()
    const first = Number(process.hrtime.bigint() - t) / 1e6
    return { first, next: await perCall(side.call, 99) }
  } finally {
    await (side.stop ?? side.kill)()
  }
}

async function fileSample(start, idle) {
  const side = await start()
  try {
    if (idle) await sleep(IDLE_MS)
    const t = process.hrtime.bigint()
    await side.callFile()
    return Number(process.hrtime.bigint() - t) / 1e6
  } finally {
    await (side.stop ?? side.kill)()
  }
}

/** `measure(kind)` for engine and raw alternately, `pairs` times, order rotated; medians. */
async function interleaved(pairs, measure) {
  const s = { engine: [], raw: [] }
  for (let i = 0; i < pairs; i++) {
    for (const kind of i % 2 ? ['raw', 'engine'] : ['engine', 'raw']) s[kind].push(await measure(kind))
  }
  return s
}

export default async function calls({ sizes, connections, log }) {
  const rows = []
  for (const connection of connections) {
    const start = (kind) => () => (kind === 'engine' ? startEngine(connection) : startRaw(connection))
    const s = await interleaved(sizes.freshPairs, (kind) => sample(start(kind)))
    const first = [median(s.engine.map((x) => x.first)), median(s.raw.map((x) => x.first))]
    const next = [median(s.engine.map((x) => x.next)), median(s.raw.map((x) => x.next))]
    log(connection, first, next)
    rows.push(
      row('calls', `first call, ${connection}`, first[0], 'ms', first[1], 'bare child, first request', { max: 1.25 }),
    )
    rows.push(
      row('calls', `calls 2–100 (mean), ${connection}`, next[0], 'µs', next[1], 'bare child, requests 2–100', {
        max: 1.25,
      }),
    )
    if (connection !== 'ipc') continue
    for (const idle of [false, true]) {
      const f = await interleaved(sizes.freshPairs, (kind) => fileSample(start(kind), idle))
      const when = idle ? `after ${IDLE_MS} ms idle` : 'right after boot'
      log(connection, 'file', when, median(f.engine), median(f.raw))
      rows.push(
        row(
          'calls',
          `first call to a module file, ${when}, ${connection}`,
          median(f.engine),
          'ms',
          median(f.raw),
          `bare child importing it on its first request, ${when}`,
        ),
      )
    }
  }
  return rows
}
