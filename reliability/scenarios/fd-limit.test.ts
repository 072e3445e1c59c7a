// `ulimit -n 64`. An origin under it (its peers inherit it) starts peers until a start fails: the
// failure is a PeerBootError that says EMFILE, at once, and the peers it has still answer and
// stop. A peer under it that uses up its descriptors: what needs one fails with a clear EMFILE
// RemoteError, the peer keeps serving, and serves fully once it has closed them.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { RemoteError } from '@vitest-peer/core'
import { describe, test } from 'vitest'
import { connections, labels } from '../helpers/connections.js'
import { Figures } from '../helpers/figures.js'
import { rejectionOf, startOwned } from '../helpers/peers.js'

const run = promisify(execFile)
const ORIGIN = fileURLToPath(new URL('../origins/fd-limit.mjs', import.meta.url))
const FDS = fileURLToPath(new URL('../peers/fds.mjs', import.meta.url))
const LIMIT = 64
/** Runs the program after it under the descriptor limit (`$0` is the program). */
const UNDER_LIMIT = `ulimit -n ${LIMIT} && exec "$0" "$@"`
/** The whole origin run: up to a dozen peers started, called and stopped. No hang means within it. */
const ORIGIN_BOUND_MS = 60_000
/** One request that meets EMFILE. */
const REQUEST_BOUND_MS = 5_000

describe(`ulimit -n ${LIMIT}`, () => {
  test('an origin under it: the start that finds no descriptor fails with a clear error, the others serve', async () => {
    const figures = new Figures(
      `ulimit -n ${LIMIT}: origin (and its peers)`,
      labels(connections),
      'failing start',
      ORIGIN_BOUND_MS,
    )
    const started: Record<string, number> = {}
    for (const { label, connection } of connections) {
      let problem: string | undefined
      let ms: number | null = null
      try {
        const { stdout } = await run('sh', ['-c', UNDER_LIMIT, process.execPath, ORIGIN, JSON.stringify(connection)], {
          timeout: ORIGIN_BOUND_MS,
        })
        const report = JSON.parse(stdout)
        started[label] = report.started
        ms = report.failMs
        if (report.error?.name !== 'PeerBootError' || !/EMFILE/.test(report.error.message))
          problem = `${label}: ${JSON.stringify(report.error)}`
        else if (report.started < 1 || report.served !== report.started || report.stopped !== report.started)
          problem = `${label}: ${report.started} started, ${report.served} served, ${report.stopped} stopped`
      } catch (error) {
        problem = `${label}: the origin failed or hung: ${(error as Error).message.split('\n').slice(0, 4).join(' | ')}`
      }
      figures.trial(ms, problem)
    }
    figures.extra('peersBeforeTheLimit', started)
    figures.done()
  })

  test('a peer under it that has used up its descriptors: clear EMFILE errors, and it serves again once it closes them', async () => {
    const figures = new Figures(
      `ulimit -n ${LIMIT}: peer out of descriptors`,
      labels(connections),
      'request → EMFILE error',
      REQUEST_BOUND_MS,
    )
    for (const { label, connection } of connections) {
      const peer = await startOwned({ connection, exec: ['sh', ['-c', UNDER_LIMIT, process.execPath]] })
      const held = (await peer.call(FDS, 'exhaust')) as number
      const problems: string[] = []
      for (const fn of ['openOne', 'importFresh']) {
        const t0 = performance.now()
        const error = await rejectionOf(peer.call(FDS, fn, [], { timeout: REQUEST_BOUND_MS }))
        const ms = performance.now() - t0
        if (!(error instanceof RemoteError) || error.code !== 'EMFILE' || !/EMFILE/.test(error.message))
          problems.push(
            `${fn}: ${error === undefined ? 'succeeded' : `${error.name}: ${error.message.split('\n')[0]}`}`,
          )
        figures.trial(ms, undefined)
      }
      await peer.call(FDS, 'release')
      if ((await peer.call(FDS, 'importFresh')) !== 'imported') problems.push('no import after the release')
      await peer.stop()
      if ((await peer.exited).cause !== 'stopped') problems.push(`stop: ${JSON.stringify(await peer.exited)}`)
      if (held < 1) problems.push(`held ${held} descriptors`)
      if (problems.length > 0) figures.fail(`${label}: ${problems.join('; ')}`)
    }
    figures.done()
  })
})
