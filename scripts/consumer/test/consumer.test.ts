// What a project that installed vitest-peer from npm does with it: NodeNext `.js` specifiers for
// its TypeScript, every connection, evaluate with import(), output, a peer shared by the file, a
// restart, a network proxy, and a failing call that points at this file.
import { connect, createServer } from 'node:net'
import { expect } from 'vitest'
import { type Peer, peerFixture, RemoteError, test } from 'vitest-peer'

const it = test.extend<{ shared: Peer }>({ shared: peerFixture({ scope: 'file' }) })

it('calls the project’s TypeScript through a NodeNext .js specifier', async ({ peer }) => {
  expect(await peer.call<number>('../src/math.js', 'add', [1, 2])).toBe(3)
  const math = peer.module<typeof import('../src/math.js')>('../src/math.js')
  expect(await math.add(2, 3)).toBe(5)
})

it('runs plain JavaScript and relays its output', async ({ peer }) => {
  expect(await peer.call('../src/greet.js', 'greet', ['peer'])).toBe(4)
  expect(await peer.waitForOutput('hello, peer')).toBe('hello, peer')
})

it('evaluates a function that imports', async ({ peer }) => {
  const platform = await peer.evaluate(async () => (await import('node:os')).platform())
  expect(platform).toBe(process.platform)
})

const connections = { ipc: 'ipc', stdio: 'stdio', tcp: { tcp: 0 }, uds: { uds: true } } as const
for (const [title, connection] of Object.entries(connections)) {
  it(`starts a peer over ${title}`, async ({ startPeer }) => {
    const peer = await startPeer({ connection })
    expect(await peer.call('../src/math.js', 'add', [20, 22])).toBe(42)
  })
}

it('shares one peer between the tests of the file (1)', async ({ shared }) => {
  await shared.evaluate(() => {
    ;(globalThis as any).visits = ((globalThis as any).visits ?? 0) + 1
  })
})

it('shares one peer between the tests of the file (2)', async ({ shared }) => {
  expect(await shared.evaluate(() => (globalThis as any).visits)).toBe(1)
})

it('restarts a peer under the same name', async ({ peer }) => {
  const next = await peer.restart()
  expect(next.name).toBe(peer.name)
  expect(next.pid).not.toBe(peer.pid)
  expect(await next.call('../src/math.js', 'add', [1, 1])).toBe(2)
})

it('cuts a connection through a proxy', async ({ startProxy }) => {
  const server = createServer((socket) => {
    socket.on('error', () => {}) // the cut resets it
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const proxy = await startProxy({ target: { port } })
  const socket = connect(proxy.port, '127.0.0.1')
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.on('error', () => {})
  socket.write('x')
  // The echo came back through the proxy: the connection is open end to end.
  await new Promise((resolve) => socket.once('data', resolve))
  proxy.cut()
  await closed
  expect(proxy.stats.connections).toBe(1)
  server.close()
})

it('rejects a failing call with the peer’s error, pointing at this file', async ({ peer }) => {
  const error = await peer.evaluate(() => JSON.parse('{')).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(RemoteError)
  expect((error as Error).stack).toContain('consumer.test.ts')
})
