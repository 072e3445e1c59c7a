// Grandchildren: a peer that started a plain child, a shell pipeline, a `cluster` worker stuck in
// a blocking wait, and a child in a session of its own (fixtures/descendants.mjs). Whatever ends
// the peer (stop(), kill(), a crash, the link when its origin is SIGKILLed) ends the first three
// within the peer's own bound; the one that left the peer's session escapes on purpose (the
// engine's documented limit; vitest-peer's safety net covers it, see kills.test.ts): each trial
// checks it survived, then ends it.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Peer } from '@vitest-peer/core'
import { describe, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures } from '../helpers/figures.js'
import { startOwned, within } from '../helpers/peers.js'
import { isGone, killAll, type Proc, procOf, watchGone } from '../helpers/proc.js'

const TRIALS = 3
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))
/** No peer, nor what it started, outlives its origin by more than a second. */
const LINK_BOUND_MS = 1000
/** stop() and kill() resolve once the peer and its group are gone: a generous bound for the call. */
const END_BOUND_MS = 5_000

interface Descendants {
  sleep: number
  pipeline: number[]
  worker: number
  detached: number
}

/** The covered descendants and the escapee, each named with its start time. */
function refs(d: Descendants): { covered: Proc[]; escapee: Proc | undefined } {
  const covered = [d.sleep, ...d.pipeline, d.worker].map(procOf).filter((p): p is Proc => p !== undefined)
  return { covered, escapee: procOf(d.detached) }
}

/** Checks a trial's outcome: the covered gone, the escapee alive (then ended). */
function verdict(label: string, covered: Proc[], expected: number, escapee: Proc | undefined): string | undefined {
  const alive = covered.filter((p) => !isGone(p))
  const escaped = escapee !== undefined && !isGone(escapee)
  if (escapee) killAll([escapee])
  if (covered.length !== expected) return `${label}: only ${covered.length} of ${expected} descendants ran`
  if (alive.length > 0) return `${label}: descendants ${alive.map((p) => p.pid).join(', ')} alive`
  if (!escaped) return `${label}: the child in a session of its own did not survive (it should escape)`
  return undefined
}

const ends: { name: string; end: (peer: Peer) => Promise<unknown> }[] = [
  { name: 'stop()', end: (peer) => peer.stop() },
  { name: 'kill()', end: (peer) => (peer.kill(), peer.exited) },
  {
    name: 'a crash of the peer (uncaught exception)',
    end: (peer) => (peer.cast(fixture('exit.mjs'), 'crashSoon', ['crash with descendants']), peer.exited),
  },
]

describe.each(ends)('$name of a peer with descendants', ({ name, end }) => {
  test(`ends them by the time it resolves (${TRIALS} trials per connection)`, async () => {
    const figures = new Figures(
      `grandchildren: ${name}`,
      labels(connections),
      'call → peer and group gone',
      END_BOUND_MS,
    )
    for (const { label, connection } of connections) {
      for (let i = 0; i < TRIALS; i++) {
        const peer = await startOwned({ connection })
        const spawned = (await peer.call(fixture('descendants.mjs'), 'spawnAll', [], {
          timeout: 10_000,
        })) as Descendants
        const { covered, escapee } = refs(spawned)
        const t0 = performance.now()
        try {
          await within(end(peer), END_BOUND_MS, name)
          figures.trial(performance.now() - t0, verdict(label, covered, 5, escapee))
        } catch (error) {
          killAll([...covered, ...(escapee ? [escapee] : [])])
          figures.trial(null, `${label}: ${(error as Error).message}`)
        }
      }
    }
    figures.done()
  })
})

/** fixtures/origin.mjs in `descendants` mode: an origin of its own whose peer started descendants. */
async function startOrigin(connection: unknown): Promise<{ origin: ChildProcess; peer: Proc; d: Descendants }> {
  const origin = spawn(process.execPath, [fixture('origin.mjs'), JSON.stringify({ connection }), 'descendants'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await within(
    new Promise<string>((resolve) => createInterface({ input: origin.stdout! }).once('line', resolve)),
    30_000,
    'the origin with descendants',
  )
  const report = JSON.parse(line) as { pid: number; descendants: Descendants }
  return { origin, peer: procOf(report.pid)!, d: report.descendants }
}

describe('SIGKILL of the origin of a peer with descendants', () => {
  test(`the link and the engine's janitor end them within 1 s (${TRIALS} trials per connection)`, async () => {
    const figures = new Figures(
      'grandchildren: SIGKILL of the origin',
      labels(connections),
      'kill → peer and descendants gone',
      LINK_BOUND_MS,
    )
    for (const { label, connection } of connections) {
      for (let i = 0; i < TRIALS; i++) {
        const { origin, peer, d } = await startOrigin(connection)
        const { covered, escapee } = refs(d)
        const t0 = performance.now()
        origin.kill('SIGKILL')
        const { goneAfter, alive } = await watchGone([peer, ...covered], t0, LINK_BOUND_MS)
        const problem = verdict(label, covered, 5, escapee)
        killAll([peer, ...alive])
        figures.trial(
          alive.length > 0 ? null : Math.max(...goneAfter.values()),
          problem ?? (alive.length > 0 ? `${label}: alive after 1 s` : undefined),
        )
      }
    }
    figures.done()
  })
})
