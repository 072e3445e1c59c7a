// An origin process of its own (test:reliability), run as `node --max-old-space-size=<MiB>
// flood.mjs '<connection as JSON>' <lines> <relay|raw>`: its peer prints <lines> lines of 1 MiB
// while nobody reads `peer.output`. Memory is sampled on every output event and every 10 ms. It
// prints `{"heapPeak":…,"rssPeak":…,"kept":…,"ms":…}` (bytes, characters, ms) and exits 0; an
// origin that kept the dropped output would die of OOM first.
import { startPeer } from '@vitest-peer/core'

const [connection = '"ipc"', lines = '100', how = 'relay'] = process.argv.slice(2)
const volume = new URL('../peers/volume.mjs', import.meta.url)
const peer = await startPeer({ connection: JSON.parse(connection) })
let heapPeak = 0
let rssPeak = 0
const sample = () => {
  const { heapUsed, rss } = process.memoryUsage()
  heapPeak = Math.max(heapPeak, heapUsed)
  rssPeak = Math.max(rssPeak, rss)
}
peer.on('output', sample)
const sampler = setInterval(sample, 10)
const t0 = performance.now()
await peer.call(volume, 'floodLines', [Number(lines), how], { timeout: 300_000 })
// write(2) blocks while the pipe is full: when the call answers, at most a pipe's worth of raw
// bytes is still unread, and stop() drains it.
const ms = performance.now() - t0
clearInterval(sampler)
await peer.stop()
process.stdout.write(`${JSON.stringify({ heapPeak, rssPeak, kept: peer.output.length, ms })}\n`)
