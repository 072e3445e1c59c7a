// The example suite of OTP's peer(3) man page, written with vitest-peer. Common Test runs the
// group `quick` with [parallel]; here it is a `describe.concurrent`. Every peer is linked to its
// test: when a test fails, its peers are stopped and reported with the test.
import { describe, expect } from 'vitest'
import { type Peer, peerName, test, usePeer } from 'vitest-peer'

describe.concurrent('quick', () => {
  // basic(Config) -> {ok, Peer, _Node} = ?CT_PEER(), peer:stop(Peer).
  test('basic', async () => {
    const peer = await usePeer()
    expect(peer.name).toMatch(/^my_SUITE-basic-\d+-\d+$/)
    await peer.stop()
  })

  // args(Config): specify additional arguments to the new node.
  test('args', async () => {
    const peer = await usePeer(['--max-old-space-size=128'])
    expect(await peer.evaluate(() => process.execArgv)).toContain('--max-old-space-size=128')
    await peer.stop()
  })

  // named(Config): pass the test case name down to the function starting nodes.
  test('named', async () => {
    const peer = await startNodeImpl('named_test')
    expect(peer.name).toMatch(/^my_SUITE-named_test-\d+-\d+$/)
    expect(await peer.call('./app-env.ts', 'getEnv', ['kernel', 'key'])).toBe('value')
    await peer.stop()
  })

  // restart_node(Config): restart the node with the same name as before.
  test('restart_node', async () => {
    const name = peerName()
    const peer = await usePeer({ name })
    await peer.stop()
    const peer2 = await usePeer({ name, args: ['--no-warnings'] })
    expect(peer2.name).toBe(name)
    expect(peer2.pid).not.toBe(peer.pid)
    await peer2.stop()
  })

  // multi_node(Config): start four nodes concurrently, wait for all of them to boot.
  test('multi_node', async ({ startPeer }) => {
    const peers = await Promise.all([1, 2, 3, 4].map(() => startPeer({ waitBoot: false })))
    await Promise.all(peers.map((peer) => peer.booted))
    expect(new Set(peers.map((peer) => peer.name)).size).toBe(4)
    await Promise.all(peers.map((peer) => peer.stop()))
  })
})

// start_node_impl(ActualTestCase): a named peer with extra setup.
async function startNodeImpl(actualTestCase: string): Promise<Peer> {
  const peer = await usePeer({ name: peerName(actualTestCase) })
  expect(await peer.call('./app-env.ts', 'setEnv', ['kernel', 'key', 'value'])).toBe('ok')
  return peer
}
