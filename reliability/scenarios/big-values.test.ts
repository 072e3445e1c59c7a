// Volume on the control connection: 100 MiB values each way, whole. The origin's RSS is sampled
// every 10 ms meanwhile.
import { fileURLToPath } from 'node:url'
import { describe, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures, mib, sampled } from '../helpers/figures.js'
import { startOwned } from '../helpers/peers.js'

const VOLUME = fileURLToPath(new URL('../peers/volume.mjs', import.meta.url))
const BIG = 100 * 1024 * 1024
/** One 100 MiB value across, on a loaded 2-core box. */
const BIG_BOUND_MS = 60_000

describe('100 MiB values', () => {
  test('cross each way, whole, over every connection', async () => {
    const figures = new Figures('100 MiB value each way', labels(connections), 'one value across', BIG_BOUND_MS)
    for (const { label, connection } of connections) {
      const peer = await startOwned({ connection })
      const options = { timeout: BIG_BOUND_MS }
      const up = await sampled(() => peer.call(VOLUME, 'bigBuffer', [BIG, 7], options) as Promise<Buffer>)
      figures.memory('origin RSS peak', mib(up.rssPeak))
      const whole = up.value.length === BIG && up.value[0] === 7 && up.value[BIG - 1] === 7
      figures.trial(up.ms, whole ? undefined : `${label}: peer → origin: ${up.value.length} bytes`)
      const down = await sampled(() => peer.call(VOLUME, 'measure', [up.value], options) as Promise<{ length: number }>)
      figures.memory('origin RSS peak', mib(down.rssPeak))
      figures.trial(
        down.ms,
        down.value.length === BIG ? undefined : `${label}: origin → peer: ${down.value.length} bytes`,
      )
      await peer.stop()
    }
    figures.done()
  })
})
