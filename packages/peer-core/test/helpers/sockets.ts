// Test support (origin side) for the TCP and Unix-socket tests: where a peer was told to connect,
// raw clients and listeners that play rogue, and a peer held back until the test lets it start.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { connect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serialize } from 'node:v8'
import { type Connection, type Peer, type PeerProtocolError, startPeer } from '@vitest-peer/core'
import { onTestFinished } from 'vitest'
import { HANDSHAKE_PAYLOAD_BYTES } from '../../src/protocol/auth.js'
import { encodeUncheckedFrame, FRAME_HEADER_BYTES, FRAME_TRAILER_BYTES } from '../../src/protocol/frame.js'
import { fixture, fixtureUrl, track } from '../helpers.js'

/** Sizes on the wire of the origin's challenge and the peer's response. */
export const CHALLENGE_BYTES = FRAME_HEADER_BYTES + HANDSHAKE_PAYLOAD_BYTES.challenge + FRAME_TRAILER_BYTES
export const RESPONSE_BYTES = FRAME_HEADER_BYTES + HANDSHAKE_PAYLOAD_BYTES.response + FRAME_TRAILER_BYTES

/** A fresh directory for the current test, removed when it finishes. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vitest-peer-sockets-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A `call` of fixtures/marker.mjs (which would write `marker`), framed as the origin frames it (no payload CRC). */
export function forgedCall(marker: string): Buffer {
  return encodeUncheckedFrame(
    serialize({ t: 'call', id: 1, m: fixtureUrl('marker.mjs').href, f: 'leaveMarker', a: [marker] }),
  )
}

/** Where a peer connects (TCP: the first candidate address). */
export type Address = { port: number; host: string } | { path: string }

/** Where the peer was told to connect, read from its runtime flags. */
export function addressOf(argv: readonly string[]): Address {
  const value = (flag: string) => argv[argv.indexOf(flag) + 1] as string
  if (argv.includes('--vitest-peer-port')) {
    return { host: value('--vitest-peer-origin').split(',')[0] as string, port: Number(value('--vitest-peer-port')) }
  }
  return { path: value('--vitest-peer-origin') }
}

/** The argument vector with its address flags pointing elsewhere (for postProcessArgs). */
export function redirect(argv: string[], to: Address): string[] {
  const out = [...argv]
  if ('path' in to) out[out.indexOf('--vitest-peer-origin') + 1] = to.path
  else {
    out[out.indexOf('--vitest-peer-origin') + 1] = to.host
    out[out.indexOf('--vitest-peer-port') + 1] = String(to.port)
  }
  return out
}

/** A raw client connection; errors show as 'close'. */
export function dial(address: Address): Socket {
  const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host)
  socket.on('error', () => {})
  return socket
}

/** Listen on a free loopback port, or on a path in `dir`, like `connection`; resolves with where. */
export function listenLike(server: Server, connection: Connection, dir: string): Promise<Address> {
  return new Promise((resolve) => {
    if (typeof connection === 'object' && 'uds' in connection) {
      const path = join(dir, 'listener.sock')
      server.listen(path, () => resolve({ path }))
    } else {
      server.listen(0, '127.0.0.1', () =>
        resolve({ host: '127.0.0.1', port: (server.address() as { port: number }).port }),
      )
    }
  })
}

/** The next `n` bytes from `socket`; what came after them stays unread. Rejects if it closes first. */
export function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk])
      if (got.length < n) return
      socket.off('data', onData).off('close', onClose)
      socket.pause()
      if (got.length > n) socket.unshift(got.subarray(n))
      resolve(got.subarray(0, n))
    }
    const onClose = () => reject(new Error(`closed after ${got.length} of ${n} bytes`))
    socket.on('data', onData).once('close', onClose)
    socket.resume()
  })
}

/** Resolves when the other side has closed `socket` (reads and discards until then). */
export function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve()
    socket.once('close', () => resolve()).resume()
  })
}

/** Resolves once the peer has reported `n` diagnostics in all. */
export function diagnostics(peer: Peer, n: number): Promise<PeerProtocolError[]> {
  return new Promise((resolve) => {
    const check = () => {
      if (peer.diagnostics.length < n) return
      peer.off('diagnostic', check)
      resolve(peer.diagnostics)
    }
    peer.on('diagnostic', check)
    check()
  })
}

/** The first line of a message with the changing parts (ports, paths, names) replaced. */
export function stable(text: string): string {
  return text
    .replace(/tcp 127\.0\.0\.1:\d+/g, 'tcp 127.0.0.1:<port>')
    .replace(/from 127\.0\.0\.1:\d+/g, 'from 127.0.0.1:<port>')
    .replace(/uds \S+\.sock/g, 'uds <path>')
    .replace(/peer-\d+-\d+/g, '<peer>')
    .split('\n')[0] as string
}

/**
 * A peer held back by fixtures/gated-node.sh until `release()` (a FIFO in `dir`, no timing): its
 * origin already listens, so a test can try that listener before the real peer connects.
 */
export async function gatedPeer(
  connection: Connection,
  dir: string,
): Promise<{ peer: Peer; release(): Promise<void> }> {
  const fifo = join(dir, 'gate')
  execFileSync('mkfifo', [fifo])
  const peer = track(await startPeer({ connection, exec: ['sh', [fixture('gated-node.sh'), fifo]], waitBoot: false }))
  return {
    peer,
    async release() {
      const gate = await open(fifo, 'w')
      await gate.write('go\n')
      await gate.close()
      await peer.booted
    },
  }
}
