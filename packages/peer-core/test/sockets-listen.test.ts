// Origin side: how the TCP and Unix-socket control connections listen: loopback and wildcard
// hosts, a taken port, a peer that cannot connect back; the private socket directory, the path
// limit, and OTP erl_uds_dist's stale socket and "name in use" rules.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { PeerBootError, PeerOptionsError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { addressOf, gatedPeer, redirect, scratchDir } from './helpers/sockets.js'
import { rejectionOf, track } from './helpers.js'

describe('tcp', () => {
  test('a port that is taken: PeerBootError before anything is spawned', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const error = await rejectionOf(startPeer({ connection: { tcp: port }, name: 'taken' }))
      expect(error).toBeInstanceOf(PeerBootError)
      expect(error.message.replace(String(port), '<port>')).toMatchInlineSnapshot(
        `
        "could not listen on tcp 127.0.0.1:<port> for peer taken: the address is in use
          peer:    taken"
      `,
      )
    } finally {
      taken.close()
    }
  })

  test('a wildcard host: the peer tries loopback first', async () => {
    const peer = track(await startPeer({ connection: { tcp: { host: '0.0.0.0', port: 0 } } }))
    expect(peer.argv[peer.argv.indexOf('--vitest-peer-origin') + 1]?.split(',')[0]).toBe('127.0.0.1')
    expect(await peer.evaluate(() => 'ok')).toBe('ok')
  })

  test('a peer that cannot connect back halts with the reason: PeerBootError', async () => {
    // A port nobody listens on: take one, then free it.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    const error = await rejectionOf(
      startPeer({
        connection: { tcp: 0 },
        // The peer retries for half the boot time (2 s), so that its reason arrives before the
        // origin's own accept timeout would.
        waitBoot: 4000,
        postProcessArgs: (argv) => redirect(argv, { host: '127.0.0.1', port }),
      }),
    )
    expect(error).toBeInstanceOf(PeerBootError)
    expect(error).toMatchObject({ code: 'ERR_PEER_BOOT', exitCode: 1 })
    expect(String(error.output).replaceAll(String(port), '<port>')).toMatchInlineSnapshot(
      `"vitest-peer: control connection failed: could not connect to the origin within 2000 ms (127.0.0.1:<port>: connect ECONNREFUSED 127.0.0.1:<port>)"`,
    )
  })
})

describe('uds', () => {
  test('true: a socket (0600) in a private directory (0700), both gone once the peer has connected', async () => {
    const dir = scratchDir()
    const { peer, release } = await gatedPeer({ uds: true }, dir)
    const { path } = addressOf(peer.argv) as { path: string }
    expect(path.endsWith(`/${peer.name}.sock`)).toBe(true)
    const parent = path.slice(0, path.lastIndexOf('/'))
    expect(statSync(parent).mode & 0o777).toBe(0o700)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    await release()
    // Nothing is left to clean up, even if this origin were killed now.
    expect(existsSync(parent)).toBe(false)
    expect(await peer.evaluate(() => 'ok')).toBe('ok')
  })

  test('true with a long name: the file name is cut to fit the 107-byte limit', async () => {
    const name = 'n'.repeat(200)
    const peer = track(await startPeer({ connection: { uds: true }, name }))
    const { path } = addressOf(peer.argv) as { path: string }
    expect(Buffer.byteLength(path)).toBeLessThanOrEqual(107)
    expect(await peer.evaluate(() => 'ok')).toBe('ok')
  })

  test('a stale socket file (nobody listening) is removed and the path reused', async () => {
    const dir = scratchDir()
    const path = join(dir, 'stale.sock')
    // A process that binds the path and dies without closing leaves the file behind.
    try {
      execFileSync(process.execPath, [
        '-e',
        `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
      ])
    } catch {}
    expect(statSync(path).isSocket()).toBe(true)
    const peer = track(await startPeer({ connection: { uds: path } }))
    expect(await peer.evaluate(() => 'ok')).toBe('ok')
  })

  test('a path with a live listener: "name in use", and the listener is left alone', async () => {
    const dir = scratchDir()
    const path = join(dir, 'live.sock')
    const live = createServer((socket) => socket.on('error', () => {}).end('still mine'))
    await new Promise<void>((resolve) => live.listen(path, resolve))
    try {
      const error = await rejectionOf(startPeer({ connection: { uds: path }, name: 'dup' }))
      expect(error).toBeInstanceOf(PeerBootError)
      expect(error.message.replace(path, '<path>')).toMatchInlineSnapshot(
        `
        "Unix socket path <path> for peer dup is in use: another process is listening on it (name in use)
          peer:    dup"
      `,
      )
      const answer = await new Promise<string>((resolve) => {
        const client = connect(path)
        client.setEncoding('utf8').on('data', resolve)
      })
      expect(answer).toBe('still mine')
    } finally {
      live.close()
    }
  })

  test('a path that is not a socket is left alone: PeerBootError', async () => {
    const dir = scratchDir()
    const path = join(dir, 'file.sock')
    writeFileSync(path, 'precious')
    const error = await rejectionOf(startPeer({ connection: { uds: path }, name: 'file' }))
    expect(error).toBeInstanceOf(PeerBootError)
    expect(error.message.replace(path, '<path>')).toMatchInlineSnapshot(
      `
      "Unix socket path <path> for peer file exists and is not a socket; it was left alone
        peer:    file"
    `,
    )
    expect(readFileSync(path, 'utf8')).toBe('precious')
  })

  test('a path over the platform limit: PeerOptionsError, nothing spawned', async () => {
    const dir = scratchDir()
    const path = join(dir, `${'x'.repeat(120)}.sock`)
    const error = await rejectionOf(startPeer({ connection: { uds: path } }))
    expect(error).toBeInstanceOf(PeerOptionsError)
    expect(error.message.replaceAll(path, '<path>').replace(/has \d+/, 'has <n>')).toMatchInlineSnapshot(
      `"invalid peer option \`connection\`: { uds: '<path>' }; expected a Unix socket path of at most 107 bytes (<path> has <n>); use { uds: true } for a short private one"`,
    )
  })
})
