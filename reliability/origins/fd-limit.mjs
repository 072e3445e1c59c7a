// An origin process of its own (test:reliability), run under `ulimit -n 64` as `node fd-limit.mjs
// '<connection as JSON>'`: it starts peers (which inherit the limit) one after the other until a
// start fails, checks that the peers it has still answer, stops them all, and prints
// `{"started":…,"error":{"name","code","message"},"failMs":…,"served":…,"stopped":…}`.
import { startPeer } from '@vitest-peer/core'

const [connection = '"ipc"'] = process.argv.slice(2)
const peers = []
let error
let failMs = 0
for (let i = 0; i < 64 && error === undefined; i++) {
  const t0 = performance.now()
  try {
    peers.push(await startPeer({ connection: JSON.parse(connection) }))
  } catch (caught) {
    error = caught
    failMs = performance.now() - t0
  }
}
let served = 0
for (const peer of peers) if ((await peer.call('node:path', 'basename', ['/a/served'])) === 'served') served += 1
await Promise.all(peers.map((peer) => peer.stop()))
const reasons = await Promise.all(peers.map((peer) => peer.exited))
const stopped = reasons.filter((reason) => reason.cause === 'stopped').length
process.stdout.write(
  `${JSON.stringify({
    started: peers.length,
    error: error && { name: error.name, code: error.code, message: error.message.split('\n')[0] },
    failMs,
    served,
    stopped,
  })}\n`,
)
