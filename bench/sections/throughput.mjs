// Pipelined small calls (a window of outstanding calls) and Buffer echo (1 MiB, 64 MiB; 4 MiB in the smoke run), the
// engine against a raw child on the same channel ('ipc': advanced IPC, the kind that carries a
// Buffer; JSON IPC shown for pipelined). Rounds interleaved. Pinned to one core.
import { ECHO, perCall, pipelined, startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, rotate, row } from '../lib/stats.mjs'

export default async function throughput({ sizes, connections, log }) {
  const rows = []
  const mib = Buffer.alloc(1 << 20, 7)
  const big = Buffer.alloc(sizes.bigMiB << 20, 7)
  for (const connection of connections) {
    const engine = await startEngine(connection)
    const raw = await startRaw(connection)
    const json = connection === 'ipc' ? await startRaw('ipc-json') : undefined
    try {
      const small = { engine: () => engine.peer.call(ECHO, 'ping'), raw: raw.call, json: json?.call }
      if (!json) delete small.json
      const rate = Object.fromEntries(Object.keys(small).map((k) => [k, []]))
      for (const k of Object.keys(small)) await perCall(small[k], sizes.warmup / 4)
      for (let r = 0; r < sizes.rounds; r++)
        for (const k of rotate(Object.keys(small), r))
          rate[k].push(await pipelined(small[k], sizes.pipelined, sizes.window))
      const floor = connection === 'ipc' ? 'advanced IPC' : `raw ${connection}`
      log(connection, 'pipelined', median(rate.engine), median(rate.raw), json && median(rate.json))
      rows.push(
        row('throughput', `pipelined calls/s, ${connection}`, median(rate.engine), 'calls/s', median(rate.raw), floor, {
          min: 0.9,
        }),
      )
      if (json)
        rows.push(
          row(
            'throughput',
            `pipelined calls/s, ${connection}`,
            median(rate.engine),
            'calls/s',
            median(rate.json),
            'JSON IPC',
          ),
        )
      for (const [label, payload, n] of [
        ['1 MiB', mib, sizes.echo1],
        [`${sizes.bigMiB} MiB`, big, sizes.echo64],
      ]) {
        const whole = (k, back) => {
          if (back.length !== payload.length) throw new Error(`${k}: ${label} echo came back with ${back.length} bytes`)
        }
        const echo = {
          engine: async () => whole('engine', await engine.echo(payload)),
          raw: async () => whole('raw', await raw.echo(payload)),
        }
        const ms = { engine: [], raw: [] }
        for (let i = 0; i < n; i++)
          for (const k of rotate(Object.keys(echo), i)) ms[k].push((await perCall(echo[k], 1)) / 1000)
        log(connection, label, median(ms.engine), median(ms.raw))
        rows.push(
          row('throughput', `${label} Buffer echo, ${connection}`, median(ms.engine), 'ms', median(ms.raw), floor, {
            max: 1.1,
          }),
        )
      }
    } finally {
      await engine.stop()
      await raw.kill()
      await json?.kill()
    }
  }
  return rows
}
