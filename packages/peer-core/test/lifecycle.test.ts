// Origin side: a peer's life: booting -> running -> down(reason), the `booted`
// and `exited` promises, `waitBoot`, boot failures and boot timeouts, and what the peer is told
// (args, env, cwd, name, detached).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type DownReason,
  formatCommand,
  PeerBootError,
  PeerError,
  PeerOptionsError,
  type PeerState,
  PeerTimeoutError,
  randomName,
  renamePeer,
  startPeer,
} from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import {
  expectReaped,
  fixture,
  fixturesDir,
  isGone,
  nextEvent,
  procGroup,
  procState,
  rejectionOf,
  startTracked,
  track,
} from './helpers.js'

test('formatCommand: a copy-pasteable shell command line', () => {
  const args = ['%s\\n', 'a b', "it's", '$HOME', '"quoted"', '', 'é こ', 'a\nb', '*']
  const command = formatCommand('printf', args)
  const printed = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' })
  expect(printed).toBe(
    args
      .slice(1)
      .map((a) => `${a}\n`)
      .join(''),
  )
})

test('randomName: prefix, a unique integer and the origin pid', () => {
  const a = randomName()
  const b = randomName()
  expect(a).toMatch(new RegExp(`^peer-\\d+-${process.pid}$`))
  expect(b).not.toBe(a)
  expect(randomName('db')).toMatch(new RegExp(`^db-\\d+-${process.pid}$`))
})

describe.each(connectionCases)('lifecycle over $label', ({ connection }) => {
  test('booting -> running -> down, with booted, exited and the down event', async () => {
    const peer = track(await startPeer({ connection, waitBoot: false }))
    expect(peer.state).toBe('booting')
    const states: PeerState[] = [peer.state]
    await peer.booted
    states.push(peer.state)
    expect(states).toEqual(['booting', 'running'])
    expect(peer.pid).toBeGreaterThan(0)
    expect(isGone(peer.pid)).toBe(false)

    const down = nextEvent<[DownReason]>(peer, 'down')
    await peer.stop()
    const stopped: DownReason = { cause: 'stopped', exitCode: 0, signal: null }
    expect(peer.state).toEqual({ down: stopped })
    expect(await peer.exited).toEqual(stopped)
    expect(await down).toEqual([stopped])
    await expectReaped(peer)
  })

  test('calls, casts and sends made while booting wait for the boot', async () => {
    const peer = track(await startPeer({ connection, waitBoot: false }))
    expect(peer.state).toBe('booting')
    const call = peer.call(fixture('values.mjs'), 'echo', ['early call'])
    const evaluated = peer.evaluate(() => 'early evaluate')
    peer.cast(fixture('messages.mjs'), 'notify', ['early cast'])
    expect(await call).toBe('early call')
    expect(await evaluated).toBe('early evaluate')
    expect(await peer.receive()).toBe('early cast')
  })

  test('calls made while booting reject when the boot fails', async () => {
    const peer = track(await startPeer({ connection, waitBoot: false, args: ['--no-such-flag'] }))
    const error = await rejectionOf(peer.call(fixture('values.mjs'), 'echo', ['never'], { timeout: 600_000 }))
    expect(error).toBeInstanceOf(PeerError)
    expect(['ERR_PEER_BOOT', 'ERR_PEER_DOWN']).toContain(error.code)
  })

  test('waitBoot as a number: startPeer resolves with a running peer', async () => {
    const peer = await startTracked({ connection, waitBoot: 10_000 })
    expect(peer.state).toBe('running')
    await expect(peer.booted).resolves.toBeUndefined()
    expect(await peer.evaluate(() => process.pid)).toBe(peer.pid)
  })

  test('name, exec, argv and command describe the process', async () => {
    const name = randomName('life')
    const peer = await startTracked({ connection, name })
    expect(peer.name).toBe(name)
    expect(typeof peer.exec).toBe('string')
    expect(peer.argv).toEqual(expect.arrayContaining(['--vitest-peer-name', name]))
    expect(peer.command).toBe(formatCommand(peer.exec, [...peer.argv]))
    // The argument vector really is the one of the process.
    const cmdline = readFileSync(`/proc/${peer.pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    expect(cmdline).toEqual(expect.arrayContaining(peer.argv.filter((a) => a.startsWith('--vitest-peer-'))))
    // Inside, the peer knows its name.
    const who = await peer.call(fixture('messages.mjs'), 'whoAmI')
    expect(who).toEqual({ isPeer: true, peerName: name })
  })

  test('renamePeer: peer.name at once, peerName before the next request, the old name held; a peer down keeps its name', async () => {
    const [first, second, taken] = [randomName('life'), randomName('renamed'), randomName('taken')]
    const peer = await startTracked({ connection, name: first })
    await startTracked({ connection, name: taken })
    const renamed = renamePeer(peer, second)
    expect(peer.name).toBe(second)
    // Sent after the rename, without waiting for it: the peer already answers to the new name.
    expect(await peer.call(fixture('messages.mjs'), 'whoAmI')).toEqual({ isPeer: true, peerName: second })
    await expect(renamed).resolves.toBeUndefined()
    expect(peer.command).toContain(first)
    await expect(startPeer({ connection, name: first })).rejects.toThrow(PeerOptionsError)
    await expect(renamePeer(peer, taken)).rejects.toThrow(PeerOptionsError)
    expect(peer.name).toBe(second)
    await peer.stop()
    const unused = randomName('unused')
    await expect(renamePeer(peer, unused)).rejects.toThrow(PeerError)
    expect(peer.name).toBe(second)
    // The name it failed to take is free again.
    expect((await startTracked({ connection, name: unused })).name).toBe(unused)
  })

  test('many peers at once: distinct names and pids, each serves its own calls', async () => {
    const peers = await Promise.all(Array.from({ length: 6 }, () => startPeer({ connection, waitBoot: false })))
    for (const peer of peers) track(peer)
    await Promise.all(peers.map((peer) => peer.booted))
    expect(new Set(peers.map((p) => p.name)).size).toBe(6)
    expect(new Set(peers.map((p) => p.pid)).size).toBe(6)
    const pids = await Promise.all(peers.map((peer) => peer.evaluate(() => process.pid)))
    expect(pids).toEqual(peers.map((p) => p.pid))
    await Promise.all(peers.map((peer) => peer.stop()))
    for (const peer of peers) expect(procState(peer.pid)).toBeUndefined()
  })

  test('the default name is randomName()', async () => {
    const peer = await startTracked({ connection })
    expect(peer.name).toMatch(new RegExp(`^peer-\\d+-${process.pid}$`))
  })

  test('args, postProcessArgs, env and cwd reach the peer', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vitest-peer-cwd-'))
    try {
      process.env.VITEST_PEER_TEST_INHERITED = 'inherited'
      process.env.VITEST_PEER_TEST_REMOVED = 'should be removed'
      let seen: string[] = []
      const peer = await startTracked({
        connection,
        args: ['--max-old-space-size=100', '--no-warnings'],
        postProcessArgs: (argv) => {
          seen = argv
          return argv.map((a) => (a === '--max-old-space-size=100' ? '--max-old-space-size=101' : a))
        },
        env: { VITEST_PEER_TEST_ADDED: 'added é', VITEST_PEER_TEST_REMOVED: undefined },
        cwd,
      })
      expect(seen).toContain('--max-old-space-size=100')
      expect(peer.argv).toContain('--max-old-space-size=101')
      const inside = await peer.evaluate(() => ({
        execArgv: process.execArgv,
        added: process.env.VITEST_PEER_TEST_ADDED,
        inherited: process.env.VITEST_PEER_TEST_INHERITED,
        removed: 'VITEST_PEER_TEST_REMOVED' in process.env,
        cwd: process.cwd(),
      }))
      expect(inside).toEqual({
        execArgv: expect.arrayContaining(['--max-old-space-size=101', '--no-warnings']),
        added: 'added é',
        inherited: 'inherited',
        removed: false,
        cwd: realpathSync(cwd),
      })
      expect(inside.execArgv).not.toContain('--max-old-space-size=100')
      expect(peer.env).toEqual({ VITEST_PEER_TEST_ADDED: 'added é', VITEST_PEER_TEST_REMOVED: undefined })
      expect(peer.cwd).toBe(cwd)
    } finally {
      delete process.env.VITEST_PEER_TEST_INHERITED
      delete process.env.VITEST_PEER_TEST_REMOVED
      rmSync(cwd, { recursive: true, force: true })
    }
  })

  test("exec and argv are the user's program and arguments, without the link's plumbing", async () => {
    const peer = await startTracked({ connection })
    expect(peer.exec).toBe(process.execPath)
    expect(peer.argv.some((a) => a.includes('setpriv'))).toBe(false)
    expect(peer.command.startsWith(`${process.execPath} `)).toBe(true)
    // What runs is that command (setpriv, where it is used, executes it in place).
    const cmdline = readFileSync(`/proc/${peer.pid}/cmdline`, 'utf8').split('\0')
    expect(cmdline).toEqual([peer.exec, ...peer.argv, ''])
  })

  test('a name held by a live peer of this origin is refused; a peer that is down frees it', async () => {
    const first = await startTracked({ connection, name: `held-${process.pid}` })
    const error = await rejectionOf(startPeer({ connection, name: first.name }))
    expect(error).toBeInstanceOf(PeerOptionsError)
    expect(error.message.replace(/pid \d+/, 'pid <pid>')).toBe(
      `invalid peer option \`name\`: "${first.name}"; expected a name no live peer of this origin holds (peer ${first.name} (pid <pid>, running) holds it)`,
    )
    await first.stop()
    const second = await startTracked({ connection, name: first.name })
    expect(second.state).toBe('running')
  })

  test('relative call specifiers resolve against the peer cwd', async () => {
    const peer = await startTracked({ connection, cwd: fixturesDir })
    expect(await peer.call('./typed.mjs', 'add', [2, 3])).toBe(5)
  })

  test('detached: false leads its own process group in the origin session, true its own group and session', async () => {
    const attached = await startTracked({ connection })
    const detached = await startTracked({ connection, detached: true })
    const origin = procGroup(process.pid)
    expect(procGroup(attached.pid)).toEqual({ pgrp: attached.pid, session: origin?.session })
    expect(procGroup(detached.pid)).toEqual({ pgrp: detached.pid, session: detached.pid })
  })

  test('a peer that dies during boot rejects with PeerBootError: exit code and output tail', async () => {
    const error = await rejectionOf(startPeer({ connection, args: ['--no-such-flag'] }))
    expect(error).toBeInstanceOf(PeerBootError)
    expect(error).toMatchObject({ code: 'ERR_PEER_BOOT', exitCode: 9, signal: null })
    expect(error.output).toContain('bad option: --no-such-flag')
    expect(error.message).toContain('bad option: --no-such-flag')
    expect(error.message).toContain('--no-such-flag')
    if (typeof error.pid === 'number') expect(procState(error.pid)).toBeUndefined()
  })

  test('waitBoot: false, then a boot failure: booted rejects, state and exited say boot-failed', async () => {
    const peer = track(await startPeer({ connection, args: ['--no-such-flag'], waitBoot: false }))
    const error = await rejectionOf(peer.booted)
    expect(error).toBeInstanceOf(PeerBootError)
    expect(error.output).toContain('bad option')
    const reason: DownReason = { cause: 'boot-failed', exitCode: 9, signal: null }
    expect(await peer.exited).toEqual(reason)
    expect(peer.state).toEqual({ down: reason })
    await expectReaped(peer)
  })

  test('a peer that does not boot in time is killed: PeerTimeoutError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vitest-peer-boot-'))
    const pidFile = join(dir, 'pid')
    try {
      const start = startPeer({
        connection,
        args: ['--require', fixture('block-boot.cjs')],
        env: { VITEST_PEER_TEST_PIDFILE: pidFile },
        waitBoot: 300,
      })
      const error = await rejectionOf(start)
      expect(error).toBeInstanceOf(PeerTimeoutError)
      expect(error).toMatchObject({ code: 'ERR_PEER_TIMEOUT', timeout: 300 })
      expect(error.operation).toMatch(/^boot/)
      const pid = error.pid as number
      expect(pid).toBeGreaterThan(0)
      if (existsSync(pidFile)) expect(Number(readFileSync(pidFile, 'utf8'))).toBe(pid)
      // When startPeer rejects, the process has been killed and reaped already.
      expect(procState(pid)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
