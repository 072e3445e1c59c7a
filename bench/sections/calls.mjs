// Calls right after boot, on fresh processes: the first call (for the engine, the peer's first
// import(), which starts Node's ESM loader) and the mean of calls 2–100, against a bare child's
// first request and requests 2–100 on the same channel. Pinned to one core by the orchestrator.
import { perCall, startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, row } from '../lib/stats.mjs'

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

export default async function calls({ sizes, connections, log }) {
  const rows = []
  for (const connection of connections) {
    const s = { engine: [], raw: [] }
    for (let i = 0; i < sizes.freshPairs; i++) {
      const order = i % 2 ? ['raw', 'engine'] : ['engine', 'raw']
      for (const kind of order)
        s[kind].push(await sample(() => (kind === 'engine' ? startEngine(connection) : startRaw(connection))))
    }
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
  }
  return rows
}
