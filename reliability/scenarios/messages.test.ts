// Volume on the control connection, over the four connections at once (one peer each): 10^6
// messages each way in all, 2.5 × 10^5 per connection from the peer (origin.send) and as many to
// it (peer.send), sent in tight loops; each side checks that they arrive complete and in order.
// The origin's RSS is sampled every 10 ms meanwhile. Each message costs about 20 µs of CPU here
// (sender and receiver): 10^6 per connection would cost minutes, beyond CI's budget;
// REL_MESSAGES=1000000 runs that.
import { fileURLToPath } from 'node:url'
import type { Peer } from '@vitest-peer/core'
import { test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures, mib, sampled } from '../helpers/figures.js'
import { startOwned } from '../helpers/peers.js'

const VOLUME = fileURLToPath(new URL('../peers/volume.mjs', import.meta.url))
/** Per connection, each way. */
const PER_CONNECTION = Number(process.env.REL_MESSAGES ?? 250_000)
const UP = PER_CONNECTION
const DOWN = PER_CONNECTION
/** The messages of one direction across, on a loaded 2-core box; also every call meanwhile (the origin is busy with the other connections). */
const BOUND_MS = 300_000
/** How often the test empties the mailbox: a 'message' listener alone does not (receive() or flush() does). */
const FLUSH_EVERY = 10_000

/** The peer sends 0 … UP-1; resolves with how many arrived and whether they were in order. */
function countFromPeer(peer: Peer): Promise<{ received: number; inOrder: boolean }> {
  let received = 0
  let inOrder = true
  const all = new Promise<void>((resolve) => {
    peer.on('message', (message) => {
      if (message !== received) inOrder = false
      received += 1
      if (received % FLUSH_EVERY === 0) peer.flush()
      if (received === UP) resolve()
    })
  })
  return peer
    .call(VOLUME, 'sendCount', [UP], { timeout: BOUND_MS })
    .then(() => all)
    .then(() => ({ received, inOrder }))
}

/** Sends 0 … DOWN-1 to the peer's sink; resolves with what the sink saw. */
async function countToPeer(peer: Peer): Promise<{ received: number; inOrder: boolean }> {
  await peer.call(VOLUME, 'openSink', [], { timeout: BOUND_MS })
  for (let i = 0; i < DOWN; i++) peer.send('sink', i)
  return (await peer.call(VOLUME, 'sinkState', [], { timeout: BOUND_MS })) as { received: number; inOrder: boolean }
}

test(`${UP} messages from each peer and ${DOWN} to it arrive complete and in order, every connection at once`, async () => {
  const figures = new Figures(
    `${UP * connections.length} messages each way (${UP} per connection), in order`,
    labels(connections),
    'one direction, all connections at once',
    BOUND_MS,
  )
  const peers = await Promise.all(connections.map(({ connection }) => startOwned({ connection })))
  const perSecond: Record<string, number> = {}
  for (const [direction, run, count] of [
    ['peer → origin', countFromPeer, UP],
    ['origin → peer', countToPeer, DOWN],
  ] as const) {
    const results = await sampled(() =>
      Promise.all(
        peers.map(async (peer) => {
          const t0 = performance.now()
          const outcome = await run(peer)
          return { ...outcome, ms: performance.now() - t0 }
        }),
      ),
    )
    figures.memory(`origin RSS peak (${direction})`, mib(results.rssPeak))
    for (const [i, { received, inOrder, ms }] of results.value.entries()) {
      const { label } = connections[i]!
      perSecond[`${label} ${direction}`] = Math.round(count / (ms / 1000))
      const ok = received === count && inOrder
      figures.trial(
        ms,
        ok ? undefined : `${label} ${direction}: ${received} of ${count} received, in order: ${inOrder}`,
      )
    }
  }
  figures.extra('messagesPerSecond', perSecond)
  figures.done()
})
