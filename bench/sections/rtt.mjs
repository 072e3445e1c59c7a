// Warm round trip: after a warm-up, rounds of sequential calls, each call timed; median and p99
// over all rounds. 'ipc' against JSON IPC (the fastest Node channel, no structured clone) and
// advanced IPC (what structured clone needs); the others against a raw child on the same
// channel. Rounds interleaved. Pinned to one core by the orchestrator.
import { eachCall, perCall, startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, percentile, rotate, row } from '../lib/stats.mjs'

export default async function rtt({ sizes, connections, log }) {
  const rows = []
  for (const connection of connections) {
    const floors = connection === 'ipc' ? ['ipc-json', 'ipc'] : [connection]
    const sides = { engine: await startEngine(connection) }
    try {
      for (const f of floors) sides[f] = await startRaw(f)
      const samples = Object.fromEntries(Object.keys(sides).map((k) => [k, []]))
      for (const k of Object.keys(sides)) await perCall(sides[k].call, sizes.warmup)
      for (let r = 0; r < sizes.rounds; r++)
        for (const k of rotate(Object.keys(sides), r)) samples[k].push(...(await eachCall(sides[k].call, sizes.calls)))
      const e = samples.engine
      for (const f of floors) {
        const name = f === 'ipc-json' ? 'JSON IPC' : f === 'ipc' ? 'advanced IPC' : `raw ${f}`
        const strict = f !== 'ipc' // the targets are against JSON IPC on 'ipc', the same channel elsewhere
        log(connection, name, median(e), median(samples[f]), percentile(e, 99), percentile(samples[f], 99))
        rows.push(
          row(
            'rtt',
            `warm RTT median, ${connection}`,
            median(e),
            'µs',
            median(samples[f]),
            name,
            strict ? { max: 1.25 } : undefined,
          ),
        )
        rows.push(
          row(
            'rtt',
            `warm RTT p99, ${connection}`,
            percentile(e, 99),
            'µs',
            percentile(samples[f], 99),
            name,
            strict ? { max: 1.5 } : undefined,
          ),
        )
      }
    } finally {
      await sides.engine.stop()
      for (const [k, side] of Object.entries(sides)) if (k !== 'engine') await side.kill()
    }
  }
  return rows
}
