// 20 peers booting at once, 30 times (over each connection in turn): every boot completes, every
// peer answers a call, and every one stops. The boot times show what a crowd of peers costs on
// this machine: 20 Node.js starts at once on 2 cores take seconds each.
import { type Peer, startPeer } from '@vitest-peer/core'
import { test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures } from '../helpers/figures.js'

const PEERS = 20
const ROUNDS = Number(process.env.REL_ROUNDS ?? 30)
/**
 * Longer than the engine's default `waitBoot` (15 s): 20 boots at once on 2 cores that other jobs
 * load too were seen to take up to 13 s each. A boot that fails is a failure all the same.
 */
const BOOT_TIMEOUT_MS = 60_000

test(`${PEERS} peers × ${ROUNDS} boots`, async () => {
  const figures = new Figures(
    `${PEERS} peers × ${ROUNDS} boots`,
    labels(connections),
    'start → running',
    BOOT_TIMEOUT_MS,
  )
  const boots: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const started: Peer[] = []
    await Promise.all(
      Array.from({ length: PEERS }, async (_, i) => {
        const { label, connection } = connections[i % connections.length]!
        const t0 = performance.now()
        try {
          const peer = await startPeer({ connection, waitBoot: BOOT_TIMEOUT_MS })
          started.push(peer)
          const ms = performance.now() - t0
          boots.push(ms)
          const answer = await peer.call('node:path', 'basename', ['/a/b'])
          figures.trial(ms, answer === 'b' ? undefined : `round ${round}, ${label}: answered ${answer}`)
        } catch (error) {
          figures.trial(null, `round ${round}, ${label}: ${(error as Error).message.split('\n')[0]}`)
        }
      }),
    )
    await Promise.all(started.map((peer) => peer.stop()))
    for (const peer of started) {
      const reason = await peer.exited
      if (reason.cause !== 'stopped') figures.fail(`round ${round}: ${peer.name} ${JSON.stringify(reason)}`)
    }
  }
  boots.sort((a, b) => a - b)
  const at = (q: number) => Math.round(boots[Math.min(boots.length - 1, Math.floor(q * boots.length))] ?? 0)
  figures.extra('bootMs', { p50: at(0.5), p90: at(0.9), max: at(1) })
  figures.done()
})
