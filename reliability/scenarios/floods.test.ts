// Floods nobody reads: a peer prints 100 lines of 1 MiB, through the console relay or with raw
// write(2) on fd 1, and no one reads `peer.output`. Each run is an origin process of its own with
// a 64 MiB heap (origins/flood.mjs), whose memory is sampled while the flood lasts: the output
// kept stays bounded, and the origin does not run out of memory.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures, mib } from '../helpers/figures.js'

const run = promisify(execFile)
const FLOOD = fileURLToPath(new URL('../origins/flood.mjs', import.meta.url))
const LINES = 100
const HEAP_MIB = 64
/** What `peer.output` keeps (1 MiB of characters) and a marker. */
const KEPT_LIMIT = 1024 * 1024 + 100
/** The origin's whole run: start, 100 MiB of output, stop. */
const BOUND_MS = 60_000

describe.each(['relay', 'raw'] as const)('a flood through %s output', (how) => {
  test(`stays bounded in the origin (${LINES} MiB per connection)`, async () => {
    const what = how === 'relay' ? 'console relay' : 'raw write(2) on fd 1'
    const figures = new Figures(
      `flood nobody reads, ${LINES} × 1 MiB lines (${what})`,
      labels(connections),
      'flood time',
      BOUND_MS,
    )
    const throughput: Record<string, number> = {}
    for (const { label, connection } of connections) {
      const t0 = performance.now()
      let problem: string | undefined
      try {
        const { stdout } = await run(
          process.execPath,
          [`--max-old-space-size=${HEAP_MIB}`, FLOOD, JSON.stringify(connection), String(LINES), how],
          { timeout: BOUND_MS },
        )
        const { heapPeak, rssPeak, kept, ms } = JSON.parse(stdout)
        figures.memory('origin heap peak', mib(heapPeak))
        figures.memory('origin RSS peak', mib(rssPeak))
        throughput[label] = Math.round(LINES / (ms / 1000))
        if (kept > KEPT_LIMIT) problem = `${label}: peer.output kept ${kept} characters`
      } catch (error) {
        problem = `${label}: the origin failed: ${(error as Error).message.split('\n').slice(0, 6).join(' | ')}`
      }
      figures.trial(performance.now() - t0, problem)
    }
    figures.extra('MiBPerSecond', throughput)
    figures.done()
  })
})
