// One broker peer for every test of this file (`peerFixture({ scope: 'file' })`): started by the
// first test that uses it, stopped after the file's last test. Each test starts its own client
// peers; with `warm` on (vitest.config.ts) they are spares, booted before the test asked.
import { expect } from 'vitest'
import { test as base, type Peer, peerFixture } from 'vitest-peer'

const BROKER = './src/broker.ts'
const CLIENT = './src/client.ts'

const test = base.extend<{ broker: Peer; brokerPort: number }>({
  broker: peerFixture({ scope: 'file', label: 'broker' }),
  // Set up once for the file too: the broker listens, and every test gets the port.
  brokerPort: [async ({ broker }, use) => use(await broker.call<number>(BROKER, 'listen', [0])), { scope: 'file' }],
})

/** A client peer of the test's own, connected to the broker. */
async function client(startPeer: () => Promise<Peer>, port: number): Promise<Peer> {
  const peer = await startPeer()
  await peer.call(CLIENT, 'connectTo', [port])
  return peer
}

test('a subscriber receives what another client publishes', async ({ startPeer, brokerPort }) => {
  const [alice, bob] = await Promise.all([client(startPeer, brokerPort), client(startPeer, brokerPort)])
  await alice.call(CLIENT, 'subscribe', ['news'])
  expect(await bob.call(CLIENT, 'publish', ['news', 'hello'])).toBe(1)
  expect(await alice.receive()).toEqual({ topic: 'news', text: 'hello' })
  // Both were spares (`warm`): their command lines keep the name they booted with.
  expect(alice.command).toMatch(/--vitest-peer-name spare-warm-\d+-\d+ /)
  expect(bob.command).toMatch(/--vitest-peer-name spare-warm-\d+-\d+ /)
})

test('only the topics a client subscribed to reach it', async ({ startPeer, brokerPort }) => {
  const [alice, bob] = await Promise.all([client(startPeer, brokerPort), client(startPeer, brokerPort)])
  await alice.call(CLIENT, 'subscribe', ['news'])
  expect(await bob.call(CLIENT, 'publish', ['sports', 'goal'])).toBe(0)
  expect(await bob.call(CLIENT, 'publish', ['news', 'rain'])).toBe(1)
  // The broker writes to alice in order: had 'sports' reached her, it would come first.
  expect(await alice.receive()).toEqual({ topic: 'news', text: 'rain' })
})

test('every test of the file shares one broker, set up once', async ({ broker, brokerPort }) => {
  expect(broker.name).toMatch(/^pubsub-broker-\d+-\d+$/)
  expect(brokerPort).toBeGreaterThan(0)
  await expect(broker.call(BROKER, 'listen', [0])).rejects.toThrow('the broker is already listening')
})
