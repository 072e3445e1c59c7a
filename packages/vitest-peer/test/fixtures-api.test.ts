// The fixtures in this very process (no plugin needed for them), from the built package: lazy
// `peer`, `startPeer`, `peerOptions` overridden per describe, teardown before the next test,
// refused late starts.
import { describe, expect } from 'vitest'
import { type Peer, type StartPeer, TestEndedError, test } from 'vitest-peer'
import { isGone } from './helpers/proc.js'

const execArgv = (peer: Peer) => peer.evaluate(() => process.execArgv)

let earlier: { peer: Peer; startPeer: StartPeer } | undefined

// In order: the second test reads the first one's peer. (`describe.sequential` is gone in Vitest 5.)
describe('fixtures', { concurrent: false }, () => {
  test('peer is started lazily and named by the Common Test conventions', async ({ peer, startPeer }) => {
    expect(peer.name).toMatch(
      new RegExp(`^fixtures-api-peer_is_started_lazily_and_named_by_the_[A-Za-z_]*-\\d+-${process.pid}$`),
    )
    expect(peer.name.length).toBeLessThanOrEqual(64)
    expect(peer.state).toBe('running')
    earlier = { peer, startPeer }
  })

  test("the previous test's peers are gone before it ended; its startPeer refuses new peers", async () => {
    const { peer, startPeer } = earlier!
    expect(peer.state).toMatchObject({ down: { cause: 'stopped' } })
    expect(isGone(peer.pid)).toBe(true)
    const error = await startPeer().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TestEndedError)
    expect((error as TestEndedError).code).toBe('ERR_VITEST_PEER_TEST_ENDED')
    expect((error as Error).message).toMatchInlineSnapshot(
      `"cannot start a peer for test "fixtures > peer is started lazily and named by the Common Test conventions": the test has ended and its peers were stopped"`,
    )
  })

  test('startPeer starts any number, all distinct', async ({ startPeer }) => {
    const peers = await Promise.all([1, 2, 3].map(() => startPeer({ waitBoot: false })))
    await Promise.all(peers.map((p) => p.booted))
    expect(new Set(peers.map((p) => p.name)).size).toBe(3)
    expect(new Set(peers.map((p) => p.pid)).size).toBe(3)
  })
})

describe('test.override({ peerOptions })', () => {
  test.override({ peerOptions: { args: ['--stack-size=2000'], env: { FROM_OVERRIDE: '1' } } })

  test('applies to peer and to startPeer, whose own options come on top', async ({ peer, startPeer }) => {
    expect(await execArgv(peer)).toContain('--stack-size=2000')
    const other = await startPeer({ args: ['--no-warnings'], env: { OWN: '2' } })
    expect(await execArgv(other)).toEqual(expect.arrayContaining(['--stack-size=2000', '--no-warnings']))
    expect(other.env).toEqual({ FROM_OVERRIDE: '1', OWN: '2' })
  })
})

describe('test.override with a function of the test context', () => {
  test.override('peerOptions', ({ task }) => ({ env: { TEST_NAME: task.name } }))

  test('sees the test', async ({ peer }) => {
    expect(await peer.evaluate(() => process.env.TEST_NAME)).toBe('sees the test')
  })
})

test('outside the overriding describe blocks the defaults apply again', async ({ peer }) => {
  expect(await execArgv(peer)).not.toContain('--stack-size=2000')
})

test("the engine's moduleResolver option is refused: vitest-peer sets its own", async ({ startPeer }) => {
  const options = { moduleResolver: { module: 'file:///resolver.mjs' } } as Parameters<StartPeer>[0]
  const error = await startPeer(options).catch((e: unknown) => e)
  expect((error as { code?: string }).code).toBe('ERR_PEER_OPTIONS')
  expect((error as Error).message).toMatchInlineSnapshot(
    `"invalid peer option \`moduleResolver\`: { module: 'file:///resolver.mjs' }; expected none: vitest-peer gives each peer its own resolver (modules found as the test file's imports find them, TypeScript); use @vitest-peer/core's startPeer for a peer with another one"`,
  )
})
