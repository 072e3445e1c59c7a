// Origin side: what the TCP and Unix-socket control connections share. The origin listens before
// the spawn; the peer gets the per-peer secret on its stdin (never on the command line) and
// connects back; every accepted connection must answer a fresh challenge (auth.ts) before a
// single byte of it is read as a message. Refused connections are dropped and reported as
// diagnostics; the first authenticated one becomes the control connection and the listener
// closes (OTP's peer closes its listen socket after the accept, too).
import type { Server, Socket } from 'node:net'
import type { Writable } from 'node:stream'
import { CONNECT_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS } from '../../constants.js'
import {
  acceptFrame,
  challengeFrame,
  checkResponse,
  HANDSHAKE_PAYLOAD_BYTES,
  newNonce,
  newSecret,
  readHandshakeFrame,
  secretFrame,
} from '../../protocol/auth.js'
import { RUNTIME_FLAGS } from '../../protocol/flags.js'
import type { ResolvedOptions } from '../options.js'
import { runtimeBlock, runtimeEntry } from './bootstrap.js'
import { peerMessageDecoder, sendMessage } from './framed.js'
import type { OriginChannel, OriginChannelEvents, OriginConnection } from './types.js'

/** A listening server and how the peer reaches it. */
export interface Listener {
  server: Server
  /** For messages: `tcp 127.0.0.1:41234`, `uds /tmp/vitest-peer-x/p.sock`. */
  address: string
  /** Runtime flags naming the connection and where to connect. */
  flags: string[]
  /** Runs once the listener is closed (e.g. removes the private socket directory). */
  cleanup?: () => void
}

/** The connection around a listener: secret, handshakes, the one authenticated control connection. */
export function socketConnection(options: ResolvedOptions, listener: Listener): OriginConnection {
  const { server } = listener
  const secret = newSecret()
  /** Connections still in their handshake, with where they came from (known only while open). */
  const pending = new Map<Socket, string>()
  let events: OriginChannelEvents | undefined
  const early: string[] = []
  let connected: Socket | undefined
  let disposed = false

  const report = (description: string) => (events ? events.damage(description) : early.push(description))

  let settle!: { resolve(channel: OriginChannel): void; reject(error: Error): void }
  const accepted = new Promise<OriginChannel>((resolve, reject) => {
    settle = { resolve, reject }
  })
  accepted.catch(() => {}) // the Peer sees it; a peer that never spawned never asks

  let cleaned = false
  const cleanup = () => {
    if (cleaned) return
    cleaned = true
    listener.cleanup?.()
  }
  // At once, not in close()'s callback: that waits for the control connection to end, and an
  // origin killed before then would leave the private socket directory behind.
  const closeListener = () => {
    if (server.listening) server.close()
    cleanup()
  }

  const refuse = (socket: Socket, reason: string, from = pending.get(socket) ?? peerAddress(socket)) => {
    pending.delete(socket)
    socket.destroy()
    // Connections cut because the peer went down are not news.
    if (!disposed) report(`refused a connection to ${listener.address} from ${from}: ${reason}`)
  }

  const authenticate = (socket: Socket, originNonce: Buffer, payload: Buffer) => {
    const peerNonce = checkResponse(secret, originNonce, options.name, payload)
    if (typeof peerNonce === 'string') return refuse(socket, peerNonce)
    if (connected !== undefined || disposed) return refuse(socket, 'the peer is already connected')
    connected = socket
    pending.delete(socket)
    for (const other of [...pending.keys()]) refuse(other, 'the peer connected on another connection')
    closeListener()
    socket.write(acceptFrame(secret, originNonce, peerNonce, options.name))
    settle.resolve(openChannel(socket))
  }

  const openChannel = (socket: Socket): OriginChannel => {
    let open = true
    const decoder = peerMessageDecoder(events as OriginChannelEvents, false, () => socket.destroy())
    socket.on('data', (chunk: Buffer) => decoder.push(chunk))
    socket.once('close', () => {
      open = false
      decoder.end()
      events?.closed()
    })
    socket.resume()
    return {
      send(message) {
        sendMessage(socket, message, open)
      },
      close() {
        socket.end()
      },
    }
  }

  server.on('connection', (socket) => {
    socket.on('error', () => {}) // a reset shows as 'close'; the handshake reports the reason
    if (connected !== undefined || disposed) return refuse(socket, 'the peer is already connected')
    pending.set(socket, peerAddress(socket))
    socket.setNoDelay(true) // a no-op on Unix sockets
    const originNonce = newNonce()
    socket.write(challengeFrame(originNonce))
    readHandshakeFrame(socket, HANDSHAKE_PAYLOAD_BYTES.response, HANDSHAKE_TIMEOUT_MS).then(
      (payload) => authenticate(socket, originNonce, payload),
      (error: Error) => refuse(socket, error.message),
    )
  })

  return {
    stdio: ['pipe', 'pipe', 'pipe'],
    ownsStdout: false,
    entry: runtimeEntry(options.wrapped),
    flags: [...listener.flags, RUNTIME_FLAGS.connectTimeout, String(connectTimeout(options))],
    attach(child, channelEvents) {
      events = channelEvents
      for (const description of early.splice(0)) channelEvents.damage(description)
      const stdin = child.stdin as Writable
      // EPIPE when the peer is gone: the exit handling reports that.
      stdin.on('error', () => {})
      if (options.wrapped) stdin.write(runtimeBlock())
      // The secret goes down the stdin pipe (through ssh too), never on the command line. The
      // pipe then stays open: its EOF is a link like the socket's close.
      stdin.write(secretFrame(secret))
      return accepted
    },
    dispose() {
      if (disposed) return
      disposed = true
      settle.reject(new Error('the peer went down before it connected'))
      for (const socket of pending.keys()) socket.destroy()
      pending.clear()
      connected?.destroy()
      closeListener()
    },
  }
}

/**
 * How long the peer keeps trying to connect: half the boot timeout, at most CONNECT_TIMEOUT_MS. A
 * peer that cannot reach the origin then halts with the reason on its stderr, which arrives as a
 * PeerBootError before the boot timeout would end it without one. (A peer that never even tries,
 * stuck before its runtime runs, meets the boot timeout: PeerTimeoutError, as on every connection.)
 */
function connectTimeout(options: ResolvedOptions): number {
  return Math.max(1, Math.min(CONNECT_TIMEOUT_MS, Math.floor(options.bootTimeout / 2)))
}

function peerAddress(socket: Socket): string {
  return socket.remoteAddress === undefined ? 'a local client' : `${socket.remoteAddress}:${socket.remotePort}`
}
