// Origin side: the authentication of TCP and Unix-socket control connections. A
// listener anyone on the host can try must run nothing for them: rogue clients (garbage, a forged
// call, a forged or replayed handshake) are dropped and reported while the real peer goes on, and
// a rogue origin gets nothing served. fixtures/marker.mjs would leave a file if code ever ran.
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { type Connection, PeerBootError, PeerProtocolError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { challengeFrame, newNonce } from '../src/protocol/auth.js'
import { encodeFrame } from '../src/protocol/frame.js'
import {
  type Address,
  addressOf,
  CHALLENGE_BYTES,
  closed,
  diagnostics,
  dial,
  forgedCall,
  gatedPeer,
  listenLike,
  RESPONSE_BYTES,
  readBytes,
  redirect,
  scratchDir,
  stable,
} from './helpers/sockets.js'
import { rejectionOf, track } from './helpers.js'

const socketConnections: { label: string; connection: Connection }[] = [
  { label: 'tcp', connection: { tcp: 0 } },
  { label: 'uds', connection: { uds: true } },
]

describe.each(socketConnections)('authentication over $label', ({ connection }) => {
  test('the secret is not on the command line: the runtime flags say only where to connect', async () => {
    const peer = track(await startPeer({ connection }))
    const flags = peer.argv.slice(peer.argv.indexOf('--vitest-peer-name'))
    const tcp = !('path' in addressOf(peer.argv))
    // Flag, value, flag, value…: these flags and nothing else.
    expect(flags.filter((_, i) => i % 2 === 0)).toEqual([
      '--vitest-peer-name',
      '--vitest-peer-connection',
      '--vitest-peer-origin',
      ...(tcp ? ['--vitest-peer-port'] : []),
      '--vitest-peer-connect-timeout',
    ])
    expect(flags.length).toBe(tcp ? 10 : 8)
    expect(await peer.evaluate(() => 1 + 1)).toBe(2)
  })

  test('rogue clients (garbage, a forged call, a forged proof, an idle one) are dropped and reported; the peer runs', async () => {
    const dir = scratchDir()
    const marker = join(dir, 'marker')
    const { peer, release } = await gatedPeer(connection, dir)
    const address = addressOf(peer.argv)

    const garbage = dial(address)
    garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    await closed(garbage)

    const caller = dial(address)
    await readBytes(caller, CHALLENGE_BYTES)
    caller.write(forgedCall(marker))
    await closed(caller)

    const forger = dial(address)
    await readBytes(forger, CHALLENGE_BYTES)
    const fakeProof = Buffer.concat([Buffer.from('VPR1'), newNonce(), newNonce()])
    forger.write(Buffer.concat([encodeFrame(fakeProof), forgedCall(marker)]))
    await closed(forger)

    const idle = dial(address)
    await readBytes(idle, CHALLENGE_BYTES)

    const refused = await diagnostics(peer, 3)
    expect(refused.every((d) => d instanceof PeerProtocolError && d.code === 'ERR_PEER_PROTOCOL')).toBe(true)
    const from = 'path' in address ? 'a local client' : '127.0.0.1:<port>'
    const where = 'path' in address ? 'uds <path>' : 'tcp 127.0.0.1:<port>'
    const prefix = `control connection of peer <peer>: refused a connection to ${where} from ${from}: `
    expect(refused.map((d) => stable(d.message))).toEqual([
      `${prefix}byte 0 is 0x47, not a handshake frame`,
      expect.stringMatching(/^.*: byte \d+ is 0x[0-9a-f]{2}, not a handshake frame$/),
      `${prefix}wrong proof of the secret`,
    ])
    expect(stable(refused[1]?.message as string).startsWith(prefix)).toBe(true)

    await release()
    expect(await peer.evaluate(() => 'still serving')).toBe('still serving')
    // The idle client is dropped once the real peer has connected, and reported too.
    await closed(idle)
    expect(stable((await diagnostics(peer, 4))[3]?.message as string)).toMatch(
      /the peer connected on another connection$/,
    )
    expect(existsSync(marker)).toBe(false)
    expect(peer.state).toBe('running')
  })

  test('a replayed handshake is refused: each connection has its own challenge', async () => {
    const dir = scratchDir()
    const marker = join(dir, 'marker')
    // A relay between the peer and its origin records the peer's real response and replays it
    // on a second connection of its own before passing it on.
    let origin!: Address
    let replayed!: Promise<void>
    const relay = createServer((fromPeer) => {
      fromPeer.on('error', () => {})
      const toOrigin = dial(origin)
      toOrigin.pipe(fromPeer)
      replayed = (async () => {
        const dir = scratchDir()
        const marker = join(dir, 'marker')
        const response = await readBytes(fromPeer, RESPONSE_BYTES)
        const replay = dial(origin)
        await readBytes(replay, CHALLENGE_BYTES)
        replay.write(Buffer.concat([response, forgedCall(marker)]))
        await closed(replay)
        toOrigin.write(response)
        fromPeer.pipe(toOrigin)
        fromPeer.resume()
      })()
    })
    const relayAddress = await listenLike(relay, connection, dir)
    try {
      const peer = track(
        await startPeer({
          connection,
          postProcessArgs: (argv) => {
            origin = addressOf(argv)
            return redirect(argv, relayAddress)
          },
          waitBoot: false,
        }),
      )
      await peer.booted
      await replayed
      expect(await peer.evaluate(() => 'relayed')).toBe('relayed')
      const [diagnostic] = await diagnostics(peer, 1)
      expect(stable(diagnostic?.message as string)).toMatch(/: wrong proof of the secret$/)
      expect(existsSync(marker)).toBe(false)
    } finally {
      relay.close()
    }
  })

  test.each([
    ['a forged call instead of a challenge', 'sent no valid challenge'],
    ['a forged accept, then a forged call', 'failed to prove it holds the secret'],
  ])('a rogue origin (%s) gets nothing run: the peer halts', async (_, reason) => {
    const dir = scratchDir()
    const marker = join(dir, 'marker')
    const rogue = createServer((socket) => {
      socket.on('error', () => {})
      if (reason === 'sent no valid challenge') return void socket.write(forgedCall(marker))
      socket.write(challengeFrame(newNonce()))
      void readBytes(socket, RESPONSE_BYTES).then(() => {
        const fakeAccept = Buffer.concat([Buffer.from('VPA1'), newNonce()])
        socket.write(Buffer.concat([encodeFrame(fakeAccept), forgedCall(marker)]))
      })
    })
    const rogueAddress = await listenLike(rogue, connection, dir)
    try {
      const error = await rejectionOf(
        startPeer({ connection, postProcessArgs: (argv) => redirect(argv, rogueAddress) }),
      )
      expect(error).toBeInstanceOf(PeerBootError)
      expect(error).toMatchObject({ code: 'ERR_PEER_BOOT', exitCode: 1 })
      expect(error.output).toContain(reason)
      expect(existsSync(marker)).toBe(false)
    } finally {
      rogue.close()
    }
  })

  test('after the peer has connected, the listener is gone', async () => {
    const peer = track(await startPeer({ connection }))
    const late = dial(addressOf(peer.argv))
    const failure = await new Promise<NodeJS.ErrnoException>((resolve) => late.once('error', resolve))
    expect(failure.code).toBe('path' in addressOf(peer.argv) ? 'ENOENT' : 'ECONNREFUSED')
    expect(await peer.evaluate(() => 'ok')).toBe('ok')
  })
})
