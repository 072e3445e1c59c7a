// 20 peers at once: 20 startPeer() together until all run, against 20 bare children spawned
// together until all are ready; then all stopped together. 'ipc'. Reps interleaved.
import { startEngine } from '../lib/engine.mjs'
import { startRaw } from '../lib/raw.mjs'
import { median, now, row } from '../lib/stats.mjs'

async function batch(kind, n) {
  const start = now()
  const sides = await Promise.allSettled(
    Array.from({ length: n }, () => (kind === 'engine' ? startEngine('ipc') : startRaw('ipc'))),
  )
  const up = now() - start
  const stopStart = now()
  await Promise.all(sides.filter((s) => s.status === 'fulfilled').map((s) => (s.value.stop ?? s.value.kill)()))
  const down = now() - stopStart
  const failed = sides.find((s) => s.status === 'rejected')
  if (failed) throw failed.reason
  return { up, down }
}

export default async function scale({ sizes, log }) {
  const n = sizes.scalePeers
  const t = { engine: [], raw: [] }
  for (let i = 0; i < sizes.scaleReps; i++)
    for (const kind of i % 2 ? ['raw', 'engine'] : ['engine', 'raw']) t[kind].push(await batch(kind, n))
  const up = (k) => median(t[k].map((x) => x.up))
  const down = (k) => median(t[k].map((x) => x.down))
  log(up('engine'), up('raw'), down('engine'), down('raw'))
  return [
    row('scale', `${n} at once, all running, ipc`, up('engine'), 'ms', up('raw'), `${n} bare children, all ready`, {
      max: 1.15,
    }),
    row(
      'scale',
      `${n} at once, all stopped, ipc`,
      down('engine'),
      'ms',
      down('raw'),
      `${n} bare children, SIGKILL to exit`,
    ),
  ]
}
