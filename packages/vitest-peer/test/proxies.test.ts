// Proxies owned by tests (`useProxy`, the `startProxy` fixture): closed when the test ends, after
// its peers are gone, whatever the outcome; a start kept past its test is refused. In this very
// process (the fixture needs no plugin) and in a child Vitest run (`useProxy` needs it).
import { once } from 'node:events'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { afterAll, describe, expect, test as plainTest } from 'vitest'
import { type NetworkProxy, type StartProxy, TestEndedError, test } from 'vitest-peer'
import { startVitest } from './helpers/child-vitest.js'

/** A server that answers `goodbye` with `bye`, and keeps what each connection sent. */
const waiting: ((connection: { sent: Promise<string> }) => void)[] = []
const server: Server = createServer((socket) => {
  socket.on('error', () => {})
  let text = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk
    if (text.endsWith('goodbye')) socket.write('bye')
  })
  waiting.shift()?.({ sent: new Promise((resolve) => socket.once('close', () => resolve(text))) })
})
/** What the next connection to the server sends, once it has ended. */
const nextConnection = () => new Promise<{ sent: Promise<string> }>((resolve) => waiting.push(resolve))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const target = { port: (server.address() as AddressInfo).port }
afterAll(() => server.close())

let earlier: { startProxy: StartProxy; proxy: NetworkProxy; client: Socket } | undefined

describe('the startProxy fixture', { concurrent: false }, () => {
  test('starts a proxy owned by the test', async ({ startProxy }) => {
    const proxy = await startProxy({ target })
    const client = connect(proxy.port, '127.0.0.1').on('error', () => {})
    await once(client, 'connect')
    client.write('through the proxy')
    earlier = { startProxy, proxy, client }
  })

  plainTest("the previous test's proxy was closed when it ended; its startProxy refuses new ones", async () => {
    const { startProxy, proxy, client } = earlier!
    // Closing reset the held connection: the client saw it end, the proxy holds none.
    if (!client.closed) await new Promise((resolve) => client.once('close', resolve))
    expect(proxy.stats.open).toBe(0)
    const error = await startProxy({ target }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TestEndedError)
    expect((error as TestEndedError).code).toBe('ERR_VITEST_PEER_TEST_ENDED')
    expect((error as Error).message).toMatchInlineSnapshot(
      `"cannot start a proxy for test "the startProxy fixture > starts a proxy owned by the test": the test has ended and its peers and proxies were stopped"`,
    )
  })

  test('peers stop before the proxies close: a graceful shutdown still talks through them', async ({
    startPeer,
    startProxy,
  }) => {
    const proxy = await startProxy({ target })
    const peer = await startPeer({ shutdown: 5_000 })
    const accepted = nextConnection()
    await peer.call('./helpers/linger.ts', 'connectAndLinger', [proxy.port])
    goodbye = (await accepted).sent
  })

  plainTest("the peer's goodbye, sent from its onShutdown hook at the end of the test, went through", async () => {
    expect(await goodbye).toBe('goodbye')
  })
})

let goodbye: Promise<string> | undefined

plainTest('useProxy and the fixture close their proxy at every outcome of a test (child Vitest run)', async () => {
  const run = startVitest('proxies', { terminal: 'verbose' })
  try {
    const status = await run.exited
    expect(status.code, run.stdout() + run.stderr()).toBe(1)
    const results = run.json().testResults.flatMap((file: any) => file.assertionResults)
    const statusOf = (title: string) => results.find((r: any) => r.title === title)?.status
    expect(statusOf('useProxy in a passing test')).toBe('passed')
    expect(statusOf('the startProxy fixture in a failing test')).toBe('failed')
    expect(statusOf('useProxy in a test that throws')).toBe('failed')
    expect(statusOf('useProxy in a test that times out')).toBe('failed')
    expect(statusOf('A')).toBe('passed')
    expect(statusOf('B')).toBe('passed')
    expect(statusOf('every proxy of the earlier tests is closed'), run.stdout()).toBe('passed')
  } finally {
    run.dispose()
  }
})
