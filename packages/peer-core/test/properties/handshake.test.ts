// Property tests of the handshake decoder and checks (src/protocol/auth.ts): whatever a stranger
// sends to a TCP port or Unix socket, the reader settles without throwing, never yields a damaged
// frame, and never consumes a byte past its frame; no forged or replayed proof is ever accepted.
import { PassThrough } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  acceptFrame,
  challengeFrame,
  checkAccept,
  checkResponse,
  HANDSHAKE_PAYLOAD_BYTES,
  readHandshakeFrame,
  responseFrame,
} from '../../src/protocol/auth.js'
import { FRAME_HEADER_BYTES } from '../../src/protocol/frame.js'

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b))
const cuts = fc.array(fc.nat(), { maxLength: 8 })
const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/)

/** Feed `data` in chunks, then end the stream; settle the reader. */
interface ReadOutcome {
  payload?: Buffer
  error?: string
  /** Bytes still unread in the stream afterwards. */
  left: Buffer
}

async function read(data: Buffer, at: number[], payloadBytes: number): Promise<ReadOutcome> {
  const stream = new PassThrough()
  const reading = readHandshakeFrame(stream, payloadBytes, 60_000).then(
    (payload) => ({ payload }),
    (error: Error) => ({ error: error.message }),
  )
  const offsets = [...new Set(at.map((c) => c % (data.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const to of [...offsets, data.length]) {
    if (to > from) stream.write(data.subarray(from, to))
    from = to
  }
  stream.end()
  const settled = await reading
  // Whatever followed the frame is still in the stream for the next reader.
  const left: Buffer[] = []
  for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) left.push(chunk as Buffer)
  return { ...settled, left: Buffer.concat(left) }
}

const RUNS = { numRuns: 200 }

describe('readHandshakeFrame', () => {
  test('a sound frame in any chunks is read whole, and the bytes after it are left unread', async () => {
    await fc.assert(
      fc.asyncProperty(bytes32, fc.uint8Array({ maxLength: 50 }), cuts, async (nonce, after, at) => {
        const frame = challengeFrame(nonce)
        const out = await read(Buffer.concat([frame, after]), at, HANDSHAKE_PAYLOAD_BYTES.challenge)
        expect(out.payload?.subarray(4)).toEqual(nonce)
        expect(out.left).toEqual(Buffer.from(after))
      }),
      RUNS,
    )
  })

  test('arbitrary bytes never throw and never yield a frame', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), cuts, async (data, at) => {
        const out = await read(Buffer.from(data), at, HANDSHAKE_PAYLOAD_BYTES.response)
        expect(out.payload).toBeUndefined()
        expect(out.error).toBeTypeOf('string')
      }),
      RUNS,
    )
  })

  test('a truncated or corrupted frame is refused, never yielded', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes32,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        cuts,
        async (nonce, position, xor, truncate, at) => {
          const frame = Buffer.from(challengeFrame(nonce))
          const offset = position % frame.length
          const damaged = truncate ? frame.subarray(0, offset) : frame
          if (!truncate) damaged[offset] = (damaged[offset] as number) ^ xor
          const out = await read(damaged, at, HANDSHAKE_PAYLOAD_BYTES.challenge)
          expect(out.payload).toBeUndefined()
          // Garbage in the header is refused at its first wrong byte, before the rest arrives.
          if (!truncate && offset < FRAME_HEADER_BYTES) expect(out.error).toMatch(new RegExp(`^byte ${offset} is `))
        },
      ),
      RUNS,
    )
  })
})

describe('proofs', () => {
  test('a response is accepted for its own challenge only: a replay on another connection fails', () => {
    fc.assert(
      fc.property(bytes32, bytes32, bytes32, bytes32, name, (secret, challenge, other, peerNonce, peer) => {
        fc.pre(!challenge.equals(other))
        const payload = responseFrame(secret, challenge, peerNonce, peer).subarray(FRAME_HEADER_BYTES, -4)
        expect(checkResponse(secret, challenge, peer, payload)).toEqual(peerNonce)
        expect(checkResponse(secret, other, peer, payload)).toBe('wrong proof of the secret')
      }),
      RUNS,
    )
  })

  test('forged payloads and proofs made with another secret or for another peer are refused', () => {
    fc.assert(
      fc.property(
        bytes32,
        bytes32,
        bytes32,
        bytes32,
        name,
        fc.uint8Array({ maxLength: 80 }),
        (secret, wrong, ns, np, peer, junk) => {
          fc.pre(!secret.equals(wrong))
          const forged = responseFrame(wrong, ns, np, peer).subarray(FRAME_HEADER_BYTES, -4)
          expect(checkResponse(secret, ns, peer, forged)).toBeTypeOf('string')
          expect(
            checkResponse(secret, ns, `${peer}x`, responseFrame(secret, ns, np, peer).subarray(FRAME_HEADER_BYTES, -4)),
          ).toBeTypeOf('string')
          expect(checkResponse(secret, ns, peer, Buffer.from(junk))).toBeTypeOf('string')
          const accept = acceptFrame(wrong, ns, np, peer).subarray(FRAME_HEADER_BYTES, -4)
          expect(checkAccept(secret, ns, np, peer, accept)).toBe('wrong proof of the secret')
          expect(checkAccept(secret, ns, np, peer, Buffer.from(junk))).toBeTypeOf('string')
          // The peer's proof reflected back is not the origin's.
          const reflected = Buffer.concat([Buffer.from('VPA1'), forged.subarray(36)])
          expect(checkAccept(wrong, ns, np, peer, reflected)).toBe('wrong proof of the secret')
        },
      ),
      RUNS,
    )
  })
})
