// Peer side: what the TCP and Unix-socket control connections share. The peer connects back to
// the origin (tcp.ts, uds.ts say where, retrying with backoff) while it reads the per-peer secret
// from stdin (the origin writes it there first), answers the origin's challenge, and checks the
// origin's own proof before it reads a single message (protocol/auth.ts): a listener that does
// not hold the secret can never make this peer run anything. Until then, outgoing messages wait
// in a queue, except a `hello` queued first, which follows the response at once (it carries
// nothing but the protocol version). Any failure halts the peer; its reason goes to the raw
// stderr, which the origin shows in the boot error.
import { writeSync } from 'node:fs'
import type { Socket } from 'node:net'
import {
  CONNECT_RETRY_FIRST_MS,
  CONNECT_RETRY_MAX_MS,
  CONNECT_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
} from '../../constants.js'
import {
  checkAccept,
  HANDSHAKE_PAYLOAD_BYTES,
  newNonce,
  parseChallenge,
  parseSecret,
  readHandshakeFrame,
  responseFrame,
} from '../../protocol/auth.js'
import { v8 } from '../../protocol/builtins.js'
import type { RuntimeFlags } from '../../protocol/flags.js'
import { writeFrame } from '../../protocol/frame.js'
import { originMessageDecoder } from './framed.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

const { setTimeout, clearTimeout } = globalThis

/** One place the origin may listen on, and how to open a connection to it. */
export interface Target {
  label: string
  open(): Socket
}

/** The peer's end of a TCP or Unix-socket control connection. */
export function connectSocket(
  name: string,
  targets: Target[],
  flags: RuntimeFlags,
  events: PeerChannelEvents,
): PeerChannel {
  const given = Number(flags.connectTimeout)
  const connectTimeout = Number.isFinite(given) && given > 0 ? given : CONNECT_TIMEOUT_MS
  const { serialize } = v8()
  let socket: Socket | undefined
  /** Payloads sent before the connection is authenticated. */
  const queue: Buffer[] = []
  /** Whether the boot handshake's hello is among them. */
  let helloQueued = false
  const onOpen: (() => void)[] = []
  const lose = (reason: string) => {
    try {
      // The console relay would queue this on the connection that just failed: write it raw.
      writeSync(2, `vitest-peer: ${reason}\n`)
    } catch {}
    events.lost(reason)
  }

  void (async () => {
    // The connection does not need the secret: both are on their way at once, and node:crypto
    // loads for the nonce meanwhile. A failed dial is reported once the secret is in.
    const dialing = dial(targets, connectTimeout)
    dialing.catch(() => {})
    const reading = readHandshakeFrame(process.stdin, HANDSHAKE_PAYLOAD_BYTES.secret, HANDSHAKE_TIMEOUT_MS)
    const peerNonce = newNonce()
    const secret = parseSecret(
      await reading.catch((error) => {
        throw new Error(`no secret from the origin on stdin: ${(error as Error).message}`)
      }),
    )
    if (typeof secret === 'string') throw new Error(`no secret from the origin on stdin: ${secret}`)
    // The stdin pipe stays open after the secret; its end is a lost link too (the origin died).
    process.stdin.on('data', () => {})
    process.stdin.once('end', () => lose('stdin closed'))
    process.stdin.resume()

    const connection = await dialing
    const describe = `the origin at ${connection.label}`
    const { socket: candidate } = connection
    candidate.on('error', () => {}) // 'close' follows and is the lost link
    const challenge = parseChallenge(
      await readHandshakeFrame(candidate, HANDSHAKE_PAYLOAD_BYTES.challenge, HANDSHAKE_TIMEOUT_MS).catch((error) => {
        candidate.destroy()
        throw new Error(`${describe} sent no valid challenge: ${(error as Error).message}`)
      }),
    )
    if (typeof challenge === 'string') throw new Error(`${describe} sent no valid challenge: ${challenge}`)
    candidate.write(responseFrame(secret, challenge, peerNonce, name))
    // The origin reads no message before it has checked the response, so the hello may follow it
    // now rather than a round trip later; anything queued before the hello waits for the accept.
    if (helloQueued && queue.length === 1) writeFrame(candidate, queue.shift()!)
    const accept = await readHandshakeFrame(candidate, HANDSHAKE_PAYLOAD_BYTES.accept, HANDSHAKE_TIMEOUT_MS).catch(
      (error) => {
        candidate.destroy()
        throw new Error(`${describe} did not accept this peer: ${(error as Error).message}`)
      },
    )
    const refused = checkAccept(secret, challenge, peerNonce, name, accept)
    if (refused !== undefined) {
      candidate.destroy()
      throw new Error(`${describe} failed to prove it holds the secret (${refused}); not serving it`)
    }

    const decoder = originMessageDecoder(events)
    candidate.on('data', (chunk: Buffer) => decoder.push(chunk))
    candidate.once('close', () => events.lost('control connection closed'))
    candidate.resume()
    socket = candidate
    for (const payload of queue.splice(0)) writeFrame(candidate, payload)
    for (const callback of onOpen.splice(0)) callback()
  })().catch((error: Error) => lose(`control connection failed: ${error.message}`))

  return {
    send(message) {
      const payload = serialize(message)
      if (socket) return writeFrame(socket, payload)
      helloQueued ||= message.t === 'hello'
      queue.push(payload)
    },
    whenOpen(callback) {
      if (socket) callback()
      else onOpen.push(callback)
    },
    flush() {
      const open = socket
      if (open === undefined || open.destroyed) return Promise.resolve()
      return new Promise((resolve) => open.write(Buffer.alloc(0), () => resolve()))
    },
  }
}

/** Try every target in order, round after round with backoff, until one connects or time is up. */
async function dial(targets: Target[], timeoutMs: number): Promise<{ socket: Socket; label: string }> {
  const deadline = performance.now() + timeoutMs
  let pause = CONNECT_RETRY_FIRST_MS
  const failures = new Map<string, string>()
  for (;;) {
    for (const target of targets) {
      try {
        return { socket: await openOne(target, deadline - performance.now()), label: target.label }
      } catch (error) {
        failures.set(target.label, (error as Error).message)
      }
    }
    const remaining = deadline - performance.now()
    if (remaining <= 0) break
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, remaining)))
    pause = Math.min(pause * 2, CONNECT_RETRY_MAX_MS)
  }
  const why = [...failures].map(([label, message]) => `${label}: ${message}`).join('; ')
  throw new Error(`could not connect to the origin within ${timeoutMs} ms (${why})`)
}

function openOne(target: Target, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = target.open()
    const timer = setTimeout(
      () => {
        socket.destroy()
        reject(new Error('connect timed out'))
      },
      Math.max(1, timeoutMs),
    )
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
  })
}
