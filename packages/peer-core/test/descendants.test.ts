// Origin side: a peer's descendants are part of the peer. Whatever ends the peer (stop() in every
// shutdown mode, kill(), its own crash, the link when its origin is SIGKILLed) ends the processes
// it started within the same bounds: a plain child, a shell pipeline, a `cluster` worker that
// cannot even see its primary go. A grandchild that left the peer's process group on purpose (a
// `detached: true` spawn) escapes: the tests see it survive, then end it themselves.
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { type Peer, type PeerOptions, type ShutdownMode, startPeer } from '@vitest-peer/core'
import { describe, expect, onTestFinished, test } from 'vitest'
import { connectionCases } from './connections.js'
import { type Descendants, killOriginAndWatch, LINK_DEADLINE_MS, startOrigin } from './helpers/origin.js'
import {
  expectReaped,
  fixture,
  isGone,
  killAll,
  type ProcessRef,
  processRef,
  procGroup,
  track,
  waitGone,
  waitState,
} from './helpers.js'

const descendantsFixture = fixture('descendants.mjs')
const core = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))

/** An origin in a worker thread of this process (as in Vitest's `threads` pool): its peer starts descendants. */
const THREAD_ORIGIN = `
const { parentPort, workerData } = require('node:worker_threads')
import(workerData.core).then(async ({ startPeer }) => {
  const peer = await startPeer({ connection: workerData.connection })
  const descendants = await peer.call(workerData.fixture, 'spawnAll', [], { timeout: 10000 })
  parentPort.postMessage({ pid: peer.pid, descendants })
})
`

/** The descendants a peer started: those that belong to it, and the one that escapes. */
function refsOf(descendants: Descendants): { covered: ProcessRef[]; detached: ProcessRef } {
  const { sleep, pipeline, worker, detached } = descendants
  return { covered: [sleep, ...pipeline, worker].map(processRef), detached: processRef(detached) }
}

/** Starts a peer (stopped after the test) that starts every kind of descendant. */
async function startWithDescendants(
  options: PeerOptions,
): Promise<{ peer: Peer; covered: ProcessRef[]; detached: ProcessRef }> {
  const peer = track(await startPeer(options))
  const refs = refsOf(await peer.call<Descendants>(descendantsFixture, 'spawnAll', [], { timeout: 10_000 }))
  onTestFinished(() => killAll([...refs.covered, refs.detached]))
  return { peer, ...refs }
}

/** Every covered descendant is gone now (no waiting: the bound is the moment of the call). */
function expectAllGone(covered: ProcessRef[]): void {
  expect(covered.filter((ref) => !isGone(ref)).map((ref) => ref.pid)).toEqual([])
}

/** The grandchild that left the peer's group survived it: the test ends it, and sees it go. */
async function expectEscapedThenEnd(detached: ProcessRef): Promise<void> {
  expect(isGone(detached)).toBe(false)
  process.kill(detached.pid, 'SIGKILL')
  expect(await waitGone(detached, 5000)).toBe(true)
}

describe.each(connectionCases)('descendants over $label', ({ connection }) => {
  test.each([false, true])(
    'detached %s: the peer leads a process group of its own, and its descendants stay in it',
    async (detached) => {
      const { peer, covered, detached: escaped } = await startWithDescendants({ connection, detached })
      const session = detached ? peer.pid : procGroup(process.pid)?.session
      expect(procGroup(peer.pid)).toEqual({ pgrp: peer.pid, session })
      for (const ref of covered) expect(procGroup(ref.pid)).toEqual({ pgrp: peer.pid, session })
      expect(procGroup(escaped.pid)).toEqual({ pgrp: escaped.pid, session: escaped.pid })
      await peer.stop()
      expectAllGone(covered)
      await expectEscapedThenEnd(escaped)
    },
  )

  test.each([{ halt: 5000 }, 5000, 'close'] as ShutdownMode[])(
    'stop() (shutdown %o): the descendants are gone when the peer is',
    async (shutdown) => {
      const { peer, covered, detached } = await startWithDescendants({ connection, shutdown })
      await peer.stop()
      // 'close' resolves once the connection is closed; `exited` tells when the process is gone.
      if (shutdown === 'close') await peer.exited
      expectAllGone(covered)
      // The peer ended by itself, not by the SIGKILL of the ladder.
      expect(await peer.exited).toMatchObject({ cause: 'stopped', signal: null })
      await expectReaped(peer)
      await expectEscapedThenEnd(detached)
    },
  )

  test('kill(): the descendants are gone when exited resolves', async () => {
    const { peer, covered, detached } = await startWithDescendants({ connection })
    peer.kill()
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: null, signal: 'SIGKILL' })
    expectAllGone(covered)
    await expectEscapedThenEnd(detached)
  })

  test('a peer that crashes by itself: the descendants are gone when exited resolves', async () => {
    const { peer, covered, detached } = await startWithDescendants({ connection })
    await peer.call(fixture('exit.mjs'), 'crashSoon', ['crashing with descendants'])
    expect((await peer.exited).cause).toBe('crashed')
    expectAllGone(covered)
    await expectEscapedThenEnd(detached)
  })

  test.each([
    { mode: 'descendants', detached: false, setpriv: true },
    { mode: 'descendants', detached: true, setpriv: true },
    { mode: 'paused', detached: false, setpriv: true },
    { mode: 'paused', detached: false, setpriv: false },
  ] as const)(
    'the origin SIGKILLed (peer with $mode, detached $detached, setpriv $setpriv): the peer and its descendants are gone within 1 s',
    async ({ mode, detached, setpriv }) => {
      const { origin, report } = await startOrigin({ connection, detached }, mode, setpriv)
      expect(report.paused).toBe(mode === 'paused')
      const refs = refsOf(report.descendants!)
      if (mode === 'paused') {
        // Stopped, all of them: only a signal from outside can end them now.
        for (const pid of [report.pid, ...refs.covered.map((ref) => ref.pid)])
          expect(await waitState(pid, 'T', 1000)).toBe('T')
      }
      expect(await killOriginAndWatch(origin, processRef(report.pid), ...refs.covered)).toBe(true)
      await expectEscapedThenEnd(refs.detached)
    },
  )

  test('an origin in a worker thread: when the thread ends, its peer and the descendants are gone within 1 s', async () => {
    const worker = new Worker(THREAD_ORIGIN, {
      eval: true,
      workerData: { core, connection, fixture: descendantsFixture },
    })
    const failed = new Promise<never>((_, reject) => worker.once('error', reject))
    const report = await Promise.race([
      new Promise<{ pid: number; descendants: Descendants }>((resolve) => worker.once('message', resolve)),
      failed,
    ])
    const peer = processRef(report.pid)
    const { covered, detached } = refsOf(report.descendants)
    onTestFinished(() => killAll([peer, ...covered, detached]))
    await worker.terminate()
    const gone = await Promise.all([peer, ...covered].map((ref) => waitGone(ref, LINK_DEADLINE_MS)))
    expect(gone.every(Boolean)).toBe(true)
    await expectEscapedThenEnd(detached)
  })
})
