// 1,000 start/stop cycles, over each connection in turn, four at a time: afterwards this origin
// holds no more file descriptors, process listeners, handles and child processes than before, and
// its private TMPDIR (where Unix sockets live) has no more entries.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPeer } from '@vitest-peer/core'
import { onTestFinished, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures, mib } from '../helpers/figures.js'
import { argvOf, childrenOf, openFds } from '../helpers/proc.js'

const CYCLES = Number(process.env.REL_CYCLES ?? 1000)
const LANES = 4
/** One start and stop on a loaded 2-core box. */
const BOUND_MS = 15_000
/** Closes finish a turn or two of the event loop after `exited`; this bounds that, it is no sleep. */
const SETTLE_MS = 5_000

/** What this process holds that a peer could leak. */
function holdings(tmp: string) {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length
  const listeners = process.eventNames().reduce((n, name) => n + process.listenerCount(name), 0)
  // The engine's janitor (one per origin, if the engine has one) lives as long as the origin.
  const children = childrenOf(process.pid).filter((pid) => !argvOf(pid).includes('vitest-peer-janitor')).length
  return { fds: openFds(), handles, listeners, children, tmpEntries: readdirSync(tmp).length }
}

type Holdings = ReturnType<typeof holdings>

/** What is held beyond `before` (a leak); less is no leak: closes of the warm-up may still have been pending. */
function beyond(now: Holdings, before: Holdings): string[] {
  return (Object.keys(before) as (keyof Holdings)[])
    .filter((key) => now[key] > before[key])
    .map((key) => `${key}: ${before[key]} before, ${now[key]} after`)
}

async function settled(tmp: string, before: Holdings): Promise<Holdings> {
  const deadline = performance.now() + SETTLE_MS
  for (;;) {
    const now = holdings(tmp)
    if (beyond(now, before).length === 0 || performance.now() > deadline) return now
    await new Promise((resolve) => setImmediate(resolve))
  }
}

test(`${CYCLES} start/stop cycles leave the origin as it was`, async () => {
  const figures = new Figures(`${CYCLES} start/stop cycles`, labels(connections), 'one cycle', BOUND_MS)
  const tmp = mkdtempSync(join(tmpdir(), 'rel-cycles-'))
  const saved = process.env.TMPDIR
  process.env.TMPDIR = tmp
  onTestFinished(() => {
    process.env.TMPDIR = saved
    rmSync(tmp, { recursive: true, force: true })
  })
  const cycle = async (i: number, counted = true) => {
    const { label, connection } = connections[i % connections.length]!
    const t0 = performance.now()
    try {
      const peer = await startPeer({ connection })
      await peer.stop()
      const reason = await peer.exited
      const problem = reason.cause === 'stopped' ? undefined : `${label}: ${JSON.stringify(reason)}`
      if (counted) figures.trial(performance.now() - t0, problem)
    } catch (error) {
      if (counted) figures.trial(null, `${label}: ${(error as Error).message.split('\n')[0]}`)
      else throw error
    }
  }
  // Warm up: one cycle per connection loads what the engine loads once.
  for (let i = 0; i < connections.length; i++) await cycle(i, false)
  const before = holdings(tmp)
  const rssBefore = process.memoryUsage.rss()
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < CYCLES) await cycle(next++)
    }),
  )
  const after = await settled(tmp, before)
  figures.memory('origin RSS growth', mib(Math.max(0, process.memoryUsage.rss() - rssBefore)))
  figures.extra('before', before)
  figures.extra('after', after)
  figures.extra('cyclesPerSecond', Math.round(CYCLES / ((performance.now() - t0) / 1000)))
  for (const leak of beyond(after, before)) figures.fail(leak)
  figures.done()
})
