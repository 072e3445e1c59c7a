// The recipes of docs/recipes.md, as written there: each test is the snippet of its recipe (the
// fixtures need no plugin), run against the built package. Their modules are in ./recipes/.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect } from 'vitest'
import { PeerDownError, test } from 'vitest-peer'
import { fixture, startVitest } from './helpers/child-vitest.js'
import { isGone } from './helpers/proc.js'

// The crash recipe's peer leaves a Node diagnostic report in .vitest-peer/ (the fixtures' default outDir).
afterAll(() =>
  rmSync(new URL('../.vitest-peer/test/recipes.test.ts', import.meta.url), { recursive: true, force: true }),
)

test("getting started: the README's config and first test pass in a project of their own", async () => {
  const run = startVitest('getting-started')
  try {
    const status = await run.exited
    expect(status.code, run.stdout() + run.stderr()).toBe(0)
    const results = run.json().testResults.flatMap((file: any) => file.assertionResults)
    expect(results.map((r: any) => [r.title, r.status])).toEqual([
      ['basic', 'passed'],
      ['cluster', 'passed'],
      ['from any test body', 'passed'],
    ])
  } finally {
    run.dispose()
    tidy('getting-started')
  }
})

describe('migrating from child_process.fork or execa', () => {
  test('before: a forked script', async () => {
    const script = fileURLToPath(new URL('./recipes/forked.mjs', import.meta.url))
    const child = fork(script, { execArgv: ['--max-old-space-size=128'], env: { ...process.env, MODE: 'test' } })
    try {
      child.send(2)
      const [answer] = await once(child, 'message')
      expect(answer).toBe(4)
    } finally {
      child.kill()
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
    }
  })

  test('after: call its functions in a peer', async ({ startPeer }) => {
    const peer = await startPeer({ args: ['--max-old-space-size=128'], env: { MODE: 'test' } })
    expect(await peer.call('./recipes/worker.ts', 'double', [2])).toBe(4)
    expect(await peer.evaluate(() => process.env.MODE)).toBe('test')
    // or keep the message style
    await peer.call('./recipes/worker.ts', 'listen')
    peer.send('numbers', 2)
    expect(await peer.receive()).toBe(4)
  }) // the peer is stopped when the test ends, whatever the outcome

  test('after: a server that prints where it listens (execa and a stdout line)', async ({ startPeer }) => {
    const server = await startPeer()
    server.cast('./recipes/server.ts', 'main')
    const [, port] = await server.waitForMatch(/listening on (\d+)/)
    const response = fetch(`http://127.0.0.1:${port}/`)
    await server.waitForOutput('request started')
    await server.call('./recipes/server.ts', 'finish')
    expect(await (await response).text()).toBe('done')
  })
})

describe('testing graceful shutdown', () => {
  test('SIGTERM lets the request in flight finish, then the server exits 0', async ({ startPeer }) => {
    const server = await startPeer()
    const port = await server.call('./recipes/server.ts', 'listen')
    const response = fetch(`http://127.0.0.1:${port}/`)
    await server.waitForOutput('request started') // a request is in flight
    server.kill('SIGTERM')
    await server.waitForOutput('draining') // the handler ran; the request is still open
    await server.call('./recipes/server.ts', 'finish') // the slow job is done
    expect(await (await response).text()).toBe('done')
    expect(await server.exited).toEqual({ cause: 'exited', exitCode: 0, signal: null })
  })

  test('a graceful stop() runs the onShutdown hooks', async ({ startPeer }) => {
    const server = await startPeer({ shutdown: 10_000 }) // graceful, SIGKILL after 10 s
    await server.call('./recipes/server.ts', 'listenUntilShutdown')
    await server.stop()
    expect(server.output).toContain('closed')
    expect(server.state).toEqual({ down: { cause: 'stopped', exitCode: 0, signal: null } })
  })
})

describe('testing a crash', () => {
  test('an uncaught exception in the peer', async ({ startPeer }) => {
    const peer = await startPeer()
    peer.cast('./recipes/jobs.ts', 'explode')
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: 1, signal: null })
    expect(peer.output).toContain('Error: boom')
    await expect(peer.call('./recipes/jobs.ts', 'explode')).rejects.toBeInstanceOf(PeerDownError)
  })

  test('a crash on purpose, then a restart', async ({ startPeer }) => {
    const peer = await startPeer()
    peer.kill() // SIGKILL: no handler, no hook runs
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: null, signal: 'SIGKILL' })
    const again = await peer.restart() // same name and options; stopped when the test ends too
    expect(again.name).toBe(peer.name)
    expect(again.state).toBe('running')
  })
})

describe('a partition', () => {
  test('the client notices the partition and reconnects once it heals', async ({ startPeer, startProxy }) => {
    const server = await startPeer()
    const port = await server.call<number>('./recipes/ping-server.ts', 'listen')
    const link = await startProxy({ target: { port } })
    const client = await startPeer()
    await client.call('./recipes/ping-client.ts', 'connect', [link.port]) // dials the proxy, not the server
    await client.waitForOutput('connected 1')
    link.cut() // both ends see ECONNRESET; reconnects are reset too
    await client.waitForOutput('lost: ECONNRESET')
    link.heal()
    await client.waitForOutput('connected 2')
  })
})

describe('sharing an expensive peer', () => {
  // The file scope is recipes-shared.test.ts; this is the README's peer for the whole run.
  test('a peer started in a globalSetup serves every file, and is gone after the run', async () => {
    const run = startVitest('run-broker', { args: ['--maxWorkers=2'] })
    try {
      const status = await run.exited
      expect(status.code, run.stdout() + run.stderr()).toBe(0)
      const seen = run.peers()
      expect(seen.map((p) => p.test).sort()).toEqual(['broker a', 'broker b'])
      expect(new Set(seen.map((p) => p.pid)).size).toBe(1)
      expect(isGone(seen[0]!.pid)).toBe(true)
    } finally {
      run.dispose()
      tidy('run-broker')
    }
  })
})

/** Remove what a child run leaves in its project: Vitest's results cache and the plugin's outDir. */
function tidy(project: string): void {
  for (const left of ['node_modules', '.vitest-peer'])
    rmSync(join(fixture(project), left), { recursive: true, force: true })
}
