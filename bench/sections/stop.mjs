// stop() per `shutdown` mode, until it resolves (and, for 'close', until `exited`), against a raw
// child: for 'halt' and graceful, a request to exit until the child's exit event; for 'close',
// closing its channel until its exit event. Samples interleaved.
import { startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, now, row } from '../lib/stats.mjs'

const modes = [
  ['halt', 'halt', 'exit'],
  ['graceful (5000)', 5000, 'exit'],
  ['close', 'close', 'close'],
]

export default async function stop({ sizes, connections, log }) {
  const rows = []
  for (const connection of connections.filter((c) => c === 'ipc' || c === 'stdio')) {
    for (const [label, shutdown, rawWay] of modes) {
      const t = { engine: [], exited: [], raw: [] }
      for (let i = 0; i < sizes.stops; i++) {
        const e = await startEngine(connection, { shutdown })
        const r = await startRaw(connection)
        const measure = async (kind) => {
          const start = now()
          if (kind === 'raw') return void t.raw.push((await r[rawWay](), now() - start))
          await e.stop()
          t.engine.push(now() - start)
          await e.peer.exited
          t.exited.push(now() - start)
        }
        for (const kind of i % 2 ? ['raw', 'engine'] : ['engine', 'raw']) await measure(kind)
      }
      const floor = rawWay === 'exit' ? 'bare child: exit request to exit' : 'bare child: channel closed to exit'
      log(connection, label, median(t.engine), median(t.exited), median(t.raw))
      rows.push(row('stop', `stop() '${label}', ${connection}`, median(t.engine), 'ms', median(t.raw), floor))
      if (rawWay === 'close')
        rows.push(
          row('stop', `stop() '${label}' until exited, ${connection}`, median(t.exited), 'ms', median(t.raw), floor),
        )
    }
  }
  return rows
}
