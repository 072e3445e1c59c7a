// Origin side: `restart(overrides?)`. The peer is stopped (per its `shutdown`) unless it is down,
// its process is gone before the new one starts, and the new `Peer` has the same name and
// options, changed by the overrides; the old object stays down and keeps its listeners, messages
// and output.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Peer, PeerBootError, PeerOptionsError, type PeerState } from '@vitest-peer/core'
import { describe, expect, onTestFinished, test } from 'vitest'
import { connectionCases } from './connections.js'
import { expectReaped, fixture, isGone, processRef, procState, rejectionOf, startTracked, track } from './helpers.js'

const gate = fixture('gate.mjs')
const messages = fixture('messages.mjs')

/** What the peer sees of its options: flags, environment (of `keys`) and working directory. */
function seen(peer: Peer, keys: string[]): Promise<{ execArgv: string[]; env: Record<string, unknown>; cwd: string }> {
  return peer.evaluate(
    (keys: string[]) => ({
      execArgv: process.execArgv,
      env: Object.fromEntries(keys.map((key) => [key, process.env[key]])),
      cwd: process.cwd(),
    }),
    keys,
  )
}

describe.each(connectionCases)('restart over $label', ({ connection }) => {
  test('restart(): the same name, a new process; the old object stays down and keeps its listeners, messages and output', async () => {
    const old = await startTracked({ connection })
    const before = processRef(old.pid)
    const heard: unknown[] = []
    old.on('message', (message) => heard.push(message))
    await old.call(messages, 'sendAll', [['queued for the old peer']])
    await old.evaluate(() => console.log('printed by the old peer'))
    await old.waitForOutput('printed by the old peer')

    const peer = track(await old.restart())
    expect(peer).not.toBe(old)
    expect(peer.name).toBe(old.name)
    expect(peer.pid).not.toBe(old.pid)
    expect(peer.state).toBe('running')
    expect(old.state).toEqual({ down: { cause: 'stopped', exitCode: 0, signal: null } })
    // The old process was gone and reaped before the new one started.
    expect(isGone(before)).toBe(true)
    await expectReaped(old)

    expect(peer.flush()).toEqual([])
    expect(peer.output).not.toContain('printed by the old peer')
    await peer.call(messages, 'sendAll', [['sent by the new peer']])
    expect(await peer.receive()).toBe('sent by the new peer')
    expect(heard).toEqual(['queued for the old peer'])
    expect(old.listenerCount('message')).toBe(1)
    expect(peer.listenerCount('message')).toBe(0)
  })

  test('options carry over; overrides: env merged key by key, args replaced, any other option replaced', async () => {
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'vitest-peer-restart-')))
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }))
    const old = await startTracked({
      connection,
      cwd,
      args: ['--max-old-space-size=100'],
      env: { RESTART_KEPT: 'kept', RESTART_CHANGED: 'before', RESTART_REMOVED: 'removed' },
    })
    const keys = ['RESTART_KEPT', 'RESTART_CHANGED', 'RESTART_REMOVED', 'RESTART_ADDED']

    const same = track(await old.restart())
    expect(await seen(same, keys)).toEqual({
      execArgv: ['--max-old-space-size=100'],
      env: { RESTART_KEPT: 'kept', RESTART_CHANGED: 'before', RESTART_REMOVED: 'removed', RESTART_ADDED: undefined },
      cwd,
    })

    const changed = track(
      await same.restart({
        args: ['--stack-size=900'],
        env: { RESTART_CHANGED: 'after', RESTART_REMOVED: undefined, RESTART_ADDED: 'added' },
        shutdown: 'close',
      }),
    )
    expect(await seen(changed, keys)).toEqual({
      execArgv: ['--stack-size=900'],
      env: { RESTART_KEPT: 'kept', RESTART_CHANGED: 'after', RESTART_REMOVED: undefined, RESTART_ADDED: 'added' },
      cwd,
    })
    expect(changed.env).toEqual({
      RESTART_KEPT: 'kept',
      RESTART_CHANGED: 'after',
      RESTART_REMOVED: undefined,
      RESTART_ADDED: 'added',
    })
    // shutdown 'close' replaced the default halt: stop() returns before the process is gone.
    const last = processRef(changed.pid)
    await changed.stop()
    expect(changed.state).toBe('running')
    expect((await changed.exited).cause).toBe('stopped')
    expect(isGone(last)).toBe(true)
  })

  test("with shutdown 'close', restart() still waits until the old process is gone", async () => {
    const old = await startTracked({ connection, shutdown: 'close' })
    const before = processRef(old.pid)
    const peer = track(await old.restart())
    expect(procState(before.pid)).toBeUndefined()
    expect(await old.exited).toMatchObject({ cause: 'stopped', signal: null })
    expect(await peer.call(gate, 'ping')).toBe('pong')
  })

  test('after a crash (kill()), restart() starts a new peer with the same name', async () => {
    const old = await startTracked({ connection })
    old.kill()
    expect(await old.exited).toEqual({ cause: 'crashed', exitCode: null, signal: 'SIGKILL' })
    const peer = track(await old.restart())
    expect(peer.name).toBe(old.name)
    expect(await peer.call(gate, 'ping')).toBe('pong')
    expect(old.state).toEqual({ down: { cause: 'crashed', exitCode: null, signal: 'SIGKILL' } })
  })

  test('a paused peer restarts: the stop thaws it first', async () => {
    const old = await startTracked({ connection })
    await old.pause()
    const peer = track(await old.restart())
    expect(await old.exited).toEqual({ cause: 'stopped', exitCode: 0, signal: null })
    expect(peer.paused).toBe(false)
    expect(await peer.call(gate, 'ping')).toBe('pong')
  })

  test("'restart' hands over the new peer as soon as it is spawned, booting; none for refused overrides", async () => {
    const old = await startTracked({ connection })
    const spawned: { peer: Peer; state: PeerState }[] = []
    old.on('restart', (peer) => spawned.push({ peer, state: peer.state }))
    await rejectionOf(old.restart({ shutdown: 'later' } as never))
    expect(spawned).toEqual([])
    const peer = track(await old.restart())
    expect(spawned).toEqual([{ peer, state: 'booting' }])
    // A successor that fails to boot is handed over too: its owner sees it go down.
    let successor: Peer | undefined
    peer.on('restart', (next) => {
      successor = track(next)
    })
    expect(await rejectionOf(peer.restart({ args: ['--no-such-node-flag'] }))).toBeInstanceOf(PeerBootError)
    expect(await successor!.exited).toMatchObject({ cause: 'boot-failed' })
  })

  test('invalid overrides are refused before anything is stopped; the name cannot change', async () => {
    const old = await startTracked({ connection, name: `restarted-${process.pid}` })
    for (const [overrides, option] of [
      [{ args: '--stack-size=900' }, 'args'],
      [{ shutdown: 'later' }, 'shutdown'],
      [{ conection: 'stdio' }, 'conection'],
      [{ name: 'another-name' }, 'name'],
      ['stdio', 'overrides'],
    ] as const) {
      const error = await rejectionOf(old.restart(overrides as never))
      expect(error).toBeInstanceOf(PeerOptionsError)
      expect(error.option).toBe(option)
    }
    expect(old.state).toBe('running')
    expect(await old.call(gate, 'ping')).toBe('pong')
    const renamed = await rejectionOf(old.restart({ name: 'another-name' }))
    expect(renamed.message).toBe(
      `invalid peer option \`name\`: "another-name"; expected no other name: a restarted peer keeps its name (${old.name})`,
    )
  })
})
