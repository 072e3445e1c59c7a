// Origin side: ending a peer (`shutdown`, `signal`, `peerDown`, `kill`): the shutdown
// modes, the SIGKILL ladder and its warning, idempotent stop(), `await using`, abort signals,
// unexpected exits, and that every process is reaped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DownReason, type Peer, PeerDownError, PeerError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import {
  captureWarnings,
  childPids,
  expectReaped,
  fixture,
  flushTicks,
  nextEvent,
  procState,
  rejectionOf,
  startTracked,
  track,
  waitForFile,
} from './helpers.js'

const stubborn = fixture('stubborn.mjs')
const busy = fixture('busy.mjs')
const gate = fixture('gate.mjs')
const exit = fixture('exit.mjs')
const messages = fixture('messages.mjs')

const stopped: DownReason = { cause: 'stopped', exitCode: 0, signal: null }
const killedOnStop: DownReason = { cause: 'stopped', exitCode: null, signal: 'SIGKILL' }

/** Sends the peer into a synchronous loop and waits until it is in it. */
async function makeBusy(peer: Peer): Promise<void> {
  peer.cast(busy, 'busyLoop', [30_000])
  await peer.waitForOutput('busy loop started')
}

/** stop() of a peer that cannot exit: SIGKILLed at the end of the ladder, with exactly one warning. */
async function expectKilledByLadder(peer: Peer, warnings: (Error & { code?: string })[]): Promise<void> {
  await peer.stop()
  expect(procState(peer.pid)).toBeUndefined()
  expect(await peer.exited).toEqual(killedOnStop)
  await expectReaped(peer)
  await flushTicks()
  const killed = warnings.filter((w) => w.code === 'VITEST_PEER_KILLED')
  expect(killed).toHaveLength(1)
  expect(killed[0]?.name).toBe('Warning')
  expect(killed[0]?.message).toContain(peer.name)
}

describe.each(connectionCases)('shutdown over $label', ({ connection }) => {
  test('the default ({ halt: 5000 }): the peer exits at once, code 0, no warning', async () => {
    const warnings = captureWarnings()
    const peer = await startTracked({ connection })
    await peer.stop()
    // stop() resolves only when the process is gone (reaped), not merely asked to go.
    expect(procState(peer.pid)).toBeUndefined()
    expect(peer.state).toEqual({ down: stopped })
    await expectReaped(peer)
    await flushTicks()
    expect(warnings.filter((w) => w.code === 'VITEST_PEER_KILLED')).toEqual([])
  })

  test('halt ladder: a peer that cannot halt ({ halt: ms }, stuck in a loop) is SIGKILLed, with a warning', async () => {
    const warnings = captureWarnings()
    const peer = await startTracked({ connection, shutdown: { halt: 200 } })
    await makeBusy(peer)
    await expectKilledByLadder(peer, warnings)
  })

  test('graceful ladder: SIGTERM ignored and an onShutdown hook that never ends -> SIGKILL after ms, with a warning', async () => {
    const warnings = captureWarnings()
    const peer = await startTracked({ connection, shutdown: 300 })
    expect(await peer.call(stubborn, 'arm')).toBe('armed')
    await expectKilledByLadder(peer, warnings)
  })

  test('a graceful stop (shutdown: ms) of a cooperative peer: code 0, no warning, gone when stop() resolves', async () => {
    const warnings = captureWarnings()
    const peer = await startTracked({ connection, shutdown: 5000 })
    await peer.stop()
    expect(procState(peer.pid)).toBeUndefined()
    expect(peer.state).toEqual({ down: stopped })
    await flushTicks()
    expect(warnings.filter((w) => w.code === 'VITEST_PEER_KILLED')).toEqual([])
  })

  test('shutdown: Infinity (OTP infinity): graceful with no deadline, the hooks take what they need', async () => {
    const warnings = captureWarnings()
    const peer = await startTracked({ connection, shutdown: Number.POSITIVE_INFINITY })
    await peer.call(fixture('messages.mjs'), 'addSlowShutdownHook', [300])
    await peer.stop()
    expect(peer.state).toEqual({ down: stopped })
    expect(peer.output).toContain('slow shutdown hook done')
    expect(warnings).toEqual([])
  })

  test.each(['halt', 5000] as const)(
    'stop (%s) delivers the output printed before it, to the last line',
    async (shutdown) => {
      const peer = await startTracked({ connection, shutdown })
      // The peer prints 256 KiB right after answering, before the stop can reach it: the stop
      // finds that output still queued in the peer and must deliver it before the peer exits.
      expect(await peer.call(fixture('output.mjs'), 'floodSoon', [256 * 1024])).toBe('flood scheduled')
      await peer.stop()
      expect(peer.output).toContain('END OF FLOOD\n')
      expect(peer.output).toContain('flood line 000000\n')
    },
  )

  test('stop() while calls and receives are pending: they reject with PeerDownError (cause stopped)', async () => {
    const peer = await startTracked({ connection })
    const call = rejectionOf(peer.call(gate, 'never', [], { timeout: 60_000 }))
    const receive = rejectionOf(peer.receive(undefined, { timeout: 60_000 }))
    const output = rejectionOf(peer.waitForOutput('never printed', { timeout: 60_000 }))
    await peer.stop()
    for (const error of [await call, await receive, await output]) {
      expect(error).toBeInstanceOf(PeerDownError)
      expect(error).toMatchObject({ reason: { cause: 'stopped' } })
    }
  })

  test('stop() is idempotent: concurrent calls resolve alike, one ladder, later calls resolve at once', async () => {
    const warnings = captureWarnings()
    const peer = await startTracked({ connection, shutdown: 300 })
    await peer.call(stubborn, 'arm')
    const first = peer.stop()
    const second = peer.stop()
    const [a, b] = await Promise.all([first, second])
    expect(a).toStrictEqual(b)
    expect(procState(peer.pid)).toBeUndefined()
    await expect(peer.stop()).resolves.toStrictEqual(a)
    await flushTicks()
    expect(warnings.filter((w) => w.code === 'VITEST_PEER_KILLED')).toHaveLength(1)
  })

  test('await using / Symbol.asyncDispose stops the peer and waits until it is gone', async () => {
    let pid = 0
    let held: Peer | undefined
    {
      await using peer = await startPeer({ connection })
      track(peer)
      pid = peer.pid
      held = peer
      expect(await peer.call(gate, 'ping')).toBe('pong')
    }
    expect(held?.state).toEqual({ down: stopped })
    expect(procState(pid)).toBeUndefined()
    expect(typeof held?.[Symbol.asyncDispose]).toBe('function')
  })

  test('signal: aborting stops a running peer', async () => {
    const controller = new AbortController()
    const peer = await startTracked({ connection, signal: controller.signal })
    const down = nextEvent<[DownReason]>(peer, 'down')
    controller.abort()
    const [reason] = await down
    expect(reason.cause).toBe('stopped')
    expect(await peer.exited).toEqual(reason)
    await expectReaped(peer)
  })

  test('signal: aborting right after startPeer() rejects the pending start, and nothing is left', async () => {
    const controller = new AbortController()
    const children = childPids()
    const start = startPeer({ connection, signal: controller.signal })
    controller.abort(new Error('test gave up'))
    const outcome = await start.then(
      (peer) => track(peer),
      (error: unknown) => error,
    )
    expect(outcome).toBeInstanceOf(PeerError)
    expect((outcome as Error).message).toMatch(/abort/)
    // Every process this start spawned is already reaped.
    expect(childPids().filter((pid) => !children.includes(pid))).toEqual([])
  })

  test('signal: aborting while the peer is stuck booting rejects startPeer at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vitest-peer-abort-'))
    const pidFile = join(dir, 'pid')
    try {
      const controller = new AbortController()
      const start = startPeer({
        connection,
        signal: controller.signal,
        args: ['--require', fixture('block-boot.cjs')],
        env: { VITEST_PEER_TEST_PIDFILE: pidFile },
        // Longer than the test timeout: only the abort can end this start in time.
        waitBoot: 600_000,
      })
      const rejected = rejectionOf(start)
      await waitForFile(pidFile)
      const pid = Number(readFileSync(pidFile, 'utf8'))
      controller.abort(new Error('test gave up'))
      const error = await rejected
      expect(error).toBeInstanceOf(PeerError)
      expect(error.message).toMatch(/abort/)
      expect(procState(pid)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('signal: an already aborted signal rejects startPeer', async () => {
    await expect(startPeer({ connection, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(Error)
  })

  test('kill(): SIGKILL by default, down with cause crashed and that signal', async () => {
    const peer = await startTracked({ connection })
    peer.kill()
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: null, signal: 'SIGKILL' })
    expect(peer.state).toEqual({ down: { cause: 'crashed', exitCode: null, signal: 'SIGKILL' } })
    await expectReaped(peer)
  })

  test('kill() and abort after the peer is down are harmless', async () => {
    const controller = new AbortController()
    const peer = await startTracked({ connection, signal: controller.signal })
    await peer.stop()
    expect(() => peer.kill()).not.toThrow()
    controller.abort()
    await flushTicks()
    expect(await peer.exited).toEqual(stopped)
  })

  test('kill(signal): that signal', async () => {
    const peer = await startTracked({ connection })
    peer.kill('SIGTERM')
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: null, signal: 'SIGTERM' })
    await expectReaped(peer)
  })

  test('a peer that exits by itself: code 0 is exited, another code is crashed', async () => {
    const clean = await startTracked({ connection })
    expect(await clean.call(exit, 'exitSoon', [0])).toBe('exiting')
    expect(await clean.exited).toEqual({ cause: 'exited', exitCode: 0, signal: null })
    const failed = await startTracked({ connection })
    await failed.call(exit, 'exitSoon', [3])
    expect(await failed.exited).toEqual({ cause: 'crashed', exitCode: 3, signal: null })
    const thrown = await startTracked({ connection })
    await thrown.call(exit, 'crashSoon', ['uncaught in the peer'])
    expect((await thrown.exited).cause).toBe('crashed')
    expect(thrown.output).toContain('uncaught in the peer')
  })

  test('output printed right before the peer exits by itself is not lost', async () => {
    const peer = await startTracked({ connection })
    const exited = rejectionOf(peer.call(exit, 'printThenExit', ['last words', 4]))
    expect(await peer.exited).toEqual({ cause: 'crashed', exitCode: 4, signal: null })
    expect(await exited).toBeInstanceOf(PeerDownError)
    expect(peer.output).toContain('last words on stdout\n')
    expect(peer.output).toContain('last words on stderr\n')
  })

  test("peerDown 'stop' (default): pending calls reject, the mailbox is cleared", async () => {
    const peer = await startTracked({ connection })
    const call = rejectionOf(peer.call(gate, 'never', [], { timeout: 60_000 }))
    // The message is queued before the reply of the call that sent it.
    await peer.call(messages, 'sendAll', [['queued before the loss']])
    peer.kill()
    expect(await call).toBeInstanceOf(PeerDownError)
    await peer.exited
    expect(await rejectionOf(peer.receive())).toBeInstanceOf(PeerDownError)
  })

  test("peerDown 'continue': messages queued before the loss can still be received", async () => {
    const peer = await startTracked({ connection, peerDown: 'continue' })
    const call = rejectionOf(peer.call(gate, 'never', [], { timeout: 60_000 }))
    await peer.call(messages, 'sendAll', [['first', 'second']])
    peer.kill()
    expect(await call).toBeInstanceOf(PeerDownError)
    await peer.exited
    expect(await peer.receive()).toBe('first')
    expect(await peer.receive()).toBe('second')
    const error = await rejectionOf(peer.receive())
    expect(error).toBeInstanceOf(PeerDownError)
    expect(error).toMatchObject({ reason: { cause: 'crashed', signal: 'SIGKILL' } })
  })

  test("peerDown 'crash': an unexpected loss emits 'error' with a PeerDownError; stop() does not", async () => {
    const crashing = await startTracked({ connection, peerDown: 'crash' })
    const error = nextEvent<[Error]>(crashing, 'error')
    crashing.kill()
    const [emitted] = await error
    expect(emitted).toBeInstanceOf(PeerDownError)
    expect(emitted).toMatchObject({ code: 'ERR_PEER_DOWN', reason: { cause: 'crashed', signal: 'SIGKILL' } })

    const calm = await startTracked({ connection, peerDown: 'crash' })
    const errors: Error[] = []
    calm.on('error', (e: Error) => errors.push(e))
    await calm.stop()
    await flushTicks()
    expect(errors).toEqual([])
  })

  test('stop() of a booting peer kills it and reaps it', async () => {
    const peer = track(await startPeer({ connection, waitBoot: false, args: ['--require', fixture('block-boot.cjs')] }))
    const booted = rejectionOf(peer.booted)
    await peer.stop()
    expect(procState(peer.pid)).toBeUndefined()
    expect(await booted).toBeInstanceOf(Error)
  })
})
