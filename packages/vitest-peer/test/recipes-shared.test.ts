// Recipe "Sharing an expensive peer" of docs/recipes.md, as written there: one peer for every
// test of this file, set up once.
import { expect } from 'vitest'
import { test as base, type Peer, peerFixture } from 'vitest-peer'

const test = base.extend<{ broker: Peer }>({
  broker: peerFixture({ scope: 'file', label: 'broker' }, async (peer) => {
    await peer.call('./recipes/broker.ts', 'start') // once, when the first test uses it
  }),
})

let firstPid = 0

test('the first test starts the broker', async ({ broker }) => {
  await broker.call('./recipes/broker.ts', 'publish', ['orders', 'order 1'])
  firstPid = broker.pid
})

test('the next test gets the same peer, its state kept', async ({ broker }) => {
  expect(broker.pid).toBe(firstPid)
  expect(await broker.call('./recipes/broker.ts', 'read', ['orders'])).toEqual(['order 1'])
  expect(await broker.call('./recipes/broker.ts', 'startCount')).toBe(1)
  expect(broker.name).toMatch(/^recipes-shared-broker-/)
})
