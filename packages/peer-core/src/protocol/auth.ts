// Both sides: the per-peer secret and the challenge–response that opens every TCP and
// Unix-socket control connection. PROTOCOL.md, "Authentication", has the exchange:
//
//   origin → peer   challenge  'VPC1' | origin nonce (32)
//   peer → origin   response   'VPR1' | peer nonce (32) | HMAC-SHA256(secret, 'vitest-peer/1 peer'   | Ns | Np | name)
//   origin → peer   accept     'VPA1' |                   HMAC-SHA256(secret, 'vitest-peer/1 origin' | Ns | Np | name)
//
// Each message is one frame (frame.ts) of a fixed size, so a reader knows every header byte in
// advance and refuses garbage at the first wrong byte, without buffering what a stranger sends.
// Both nonces are fresh per connection: a recorded handshake replayed on a new connection fails.
// The two MACs carry different labels, so one side's proof cannot be reflected back as the other's.
import type { Readable } from 'node:stream'
import { crypto } from './builtins.js'
import { encodeFrame, FRAME_HEADER_BYTES, FRAME_TRAILER_BYTES, FrameDecoder } from './frame.js'

// Captured at load: the origin's tests may install fake timers.
const { setTimeout, clearTimeout } = globalThis

/** Bytes of the per-peer secret and of each nonce. */
export const SECRET_BYTES = 32
const NONCE_BYTES = 32
const MAC_BYTES = 32
const TAG_BYTES = 4

const TAG = {
  /** The secret, origin → peer over the peer's stdin (never on the command line). */
  secret: 'VPS1',
  challenge: 'VPC1',
  response: 'VPR1',
  accept: 'VPA1',
} as const

/** Payload sizes of the four fixed-size handshake frames. */
export const HANDSHAKE_PAYLOAD_BYTES = {
  secret: TAG_BYTES + SECRET_BYTES,
  challenge: TAG_BYTES + NONCE_BYTES,
  response: TAG_BYTES + NONCE_BYTES + MAC_BYTES,
  accept: TAG_BYTES + MAC_BYTES,
} as const

type Kind = keyof typeof TAG

/** A fresh per-peer secret. */
export function newSecret(): Buffer {
  return crypto().randomBytes(SECRET_BYTES)
}

/** A fresh nonce. */
export function newNonce(): Buffer {
  return crypto().randomBytes(NONCE_BYTES)
}

function frameOf(kind: Kind, ...parts: Buffer[]): Buffer {
  return encodeFrame(Buffer.concat([Buffer.from(TAG[kind], 'latin1'), ...parts]))
}

function proof(side: 'peer' | 'origin', secret: Buffer, originNonce: Buffer, peerNonce: Buffer, name: string): Buffer {
  return crypto()
    .createHmac('sha256', secret)
    .update(`vitest-peer/1 ${side}\0`)
    .update(originNonce)
    .update(peerNonce)
    .update(name, 'utf8')
    .digest()
}

/** Origin → peer stdin: the secret, before anything else the runtime reads. */
export function secretFrame(secret: Buffer): Buffer {
  return frameOf('secret', secret)
}

/** Origin → peer, first bytes on every accepted connection. */
export function challengeFrame(originNonce: Buffer): Buffer {
  return frameOf('challenge', originNonce)
}

/** Peer → origin: proves the peer holds the secret, bound to this connection's nonces and its name. */
export function responseFrame(secret: Buffer, originNonce: Buffer, peerNonce: Buffer, name: string): Buffer {
  return frameOf('response', peerNonce, proof('peer', secret, originNonce, peerNonce, name))
}

/** Origin → peer: proves the origin holds the secret too (the peer refuses to serve anyone else). */
export function acceptFrame(secret: Buffer, originNonce: Buffer, peerNonce: Buffer, name: string): Buffer {
  return frameOf('accept', proof('origin', secret, originNonce, peerNonce, name))
}

/** The body of a handshake payload after checking its tag, or a reason to refuse it. */
function body(kind: Kind, payload: Buffer): Buffer | string {
  if (payload.length !== HANDSHAKE_PAYLOAD_BYTES[kind] || payload.toString('latin1', 0, TAG_BYTES) !== TAG[kind]) {
    return `expected a ${kind} frame`
  }
  return payload.subarray(TAG_BYTES)
}

/** The secret from its frame's payload. */
export function parseSecret(payload: Buffer): Buffer | string {
  return body('secret', payload)
}

/** The origin nonce from a challenge payload. */
export function parseChallenge(payload: Buffer): Buffer | string {
  return body('challenge', payload)
}

/** Check a response against this connection's challenge: the peer nonce, or why it was refused. */
export function checkResponse(secret: Buffer, originNonce: Buffer, name: string, payload: Buffer): Buffer | string {
  const rest = body('response', payload)
  if (typeof rest === 'string') return rest
  const peerNonce = rest.subarray(0, NONCE_BYTES)
  const expected = proof('peer', secret, originNonce, peerNonce, name)
  if (!crypto().timingSafeEqual(expected, rest.subarray(NONCE_BYTES))) return 'wrong proof of the secret'
  return peerNonce
}

/** Check the origin's accept: undefined when it holds the secret, else why not. */
export function checkAccept(
  secret: Buffer,
  originNonce: Buffer,
  peerNonce: Buffer,
  name: string,
  payload: Buffer,
): string | undefined {
  const rest = body('accept', payload)
  if (typeof rest === 'string') return rest
  const expected = proof('origin', secret, originNonce, peerNonce, name)
  return crypto().timingSafeEqual(expected, rest) ? undefined : 'wrong proof of the secret'
}

/**
 * Read one fixed-size handshake frame of `payloadBytes` from `stream`. Every header byte is known
 * in advance, so the first wrong byte refuses the stream at once; nothing past the frame is
 * consumed (extra bytes are pushed back and the stream is left paused for its next reader).
 * Rejects with a description on garbage, a bad CRC, end of stream, or after `timeoutMs`.
 */
export function readHandshakeFrame(stream: Readable, payloadBytes: number, timeoutMs: number): Promise<Buffer> {
  const expectedHeader = encodeFrame(Buffer.alloc(payloadBytes)).subarray(0, FRAME_HEADER_BYTES)
  const total = FRAME_HEADER_BYTES + payloadBytes + FRAME_TRAILER_BYTES
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = (error: string | undefined, payload?: Buffer) => {
      clearTimeout(timer)
      stream.pause()
      stream.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError)
      if (error === undefined) resolve(payload as Buffer)
      else reject(new Error(error))
    }
    const onData = (chunk: Buffer) => {
      const take = chunk.subarray(0, total - size)
      // Compare the header bytes as they arrive: garbage is refused at its first byte.
      for (let i = 0; i < take.length && size + i < FRAME_HEADER_BYTES; i++) {
        if (take[i] !== expectedHeader[size + i]) {
          return finish(`byte ${size + i} is 0x${take[i]?.toString(16).padStart(2, '0')}, not a handshake frame`)
        }
      }
      chunks.push(take)
      size += take.length
      if (size < total) return
      const rest = chunk.subarray(take.length)
      let payload: Buffer | undefined
      let damage: string | undefined
      const decoder = new FrameDecoder(
        {
          frame: (p) => {
            payload = Buffer.from(p)
          },
          damage: (d) => {
            damage = d
          },
        },
        false,
        payloadBytes,
      )
      decoder.push(Buffer.concat(chunks, size))
      finish(payload === undefined ? (damage ?? 'damaged handshake frame') : undefined, payload)
      if (rest.length > 0) stream.unshift(rest)
    }
    const onEnd = () => finish(`connection closed after ${size} of ${total} handshake bytes`)
    const onError = (error: Error) => finish(`connection failed: ${error.message}`)
    const timer = setTimeout(() => finish(`no handshake within ${timeoutMs} ms (${size} of ${total} bytes)`), timeoutMs)
    stream.on('data', onData).once('end', onEnd).once('close', onEnd).once('error', onError)
    stream.resume()
  })
}
