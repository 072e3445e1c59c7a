// Boot per connection: startPeer() until running, against a bare child spawned until its ready
// message on the same channel, and `node -e 0` from spawn to exit; interleaved, order rotated.
// ARG 'ca-on' / 'ca-off': the orchestrator runs this with NODE_EXTRA_CA_CERTS set or not (on both
// sides); the target applies with it off.
import { startEngine } from '../lib/engine.mjs'
import { nodeE0, startRaw } from '../lib/raw.mjs'
import { SMOKE } from '../lib/sizes.mjs'
import { median, now, rotate, row } from '../lib/stats.mjs'

/** ms until `start()` resolves; then `end(it)`, not timed. */
async function timed(start, end) {
  const t = now()
  const it = await start()
  const ms = now() - t
  await end(it)
  return ms
}

export default async function boot({ sizes, connections, arg, log }) {
  const ca = arg === 'ca-on' ? 'NODE_EXTRA_CA_CERTS on' : 'NODE_EXTRA_CA_CERTS off'
  const rows = []
  for (const connection of connections) {
    const t = { engine: [], raw: [], e0: [] }
    const kinds = {
      engine: () =>
        timed(
          () => startEngine(connection),
          (e) => e.stop(),
        ),
      raw: () =>
        timed(
          () => startRaw(connection),
          (r) => r.kill(),
        ),
      e0: () => timed(nodeE0, () => {}),
    }
    // One warm-up round (not in the smoke run), then the samples.
    const skip = SMOKE ? 0 : 1
    // With NODE_EXTRA_CA_CERTS on (a figure for context, no target) half as many.
    const boots = arg === 'ca-on' ? Math.ceil(sizes.boots / 2) : sizes.boots
    for (let i = 0; i < boots + skip; i++)
      for (const kind of rotate(Object.keys(kinds), i)) {
        const ms = await kinds[kind]()
        if (i >= skip) t[kind].push(ms)
      }
    const [engine, raw, e0] = [median(t.engine), median(t.raw), median(t.e0)]
    log(connection, ca, engine.toFixed(1), raw.toFixed(1), e0.toFixed(1))
    const goal = arg === 'ca-on' ? undefined : { max: 1.1 }
    rows.push(row('boot', `boot, ${connection}, ${ca}`, engine, 'ms', raw, `bare child to ready, ${connection}`, goal))
    rows.push(row('boot', `boot, ${connection}, ${ca}`, engine, 'ms', e0, '`node -e 0` to exit'))
  }
  return rows
}
