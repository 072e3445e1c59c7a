// Property tests of the byte-stream frame decoder (src/protocol/frame.ts): whatever bytes arrive,
// in whatever chunks, the decoder never throws and never delivers a payload that was not sent
// whole and intact. Both modes: strict (stdin, TCP, Unix socket) and multiplexed (a peer's stdout).

import { PassThrough } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  encodeFrame,
  encodeUncheckedFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  writeFrame,
} from '../../src/protocol/frame.js'

/** Everything a decoder reported, in order; adjacent text chunks are joined. */
interface Decoded {
  frames: Buffer[]
  text: Buffer
  damage: string[]
  /** Event kinds in order ('f' frame, 't' text, 'd' damage), text runs collapsed. */
  order: string
}

/** Feed `chunks` to a fresh decoder, then end the stream (unless `end` is false). */
function decode(
  chunks: Uint8Array[],
  multiplexed: boolean,
  options: { end?: boolean; max?: number; checked?: boolean } = {},
): Decoded {
  const frames: Buffer[] = []
  const text: Buffer[] = []
  const damage: string[] = []
  let order = ''
  const decoder = new FrameDecoder(
    {
      // The sink may get a view into a larger buffer: copy, as the contract says.
      frame: (payload) => {
        frames.push(Buffer.from(payload))
        order += 'f'
      },
      text: (bytes) => {
        text.push(Buffer.from(bytes))
        if (!order.endsWith('t')) order += 't'
      },
      damage: (description) => {
        damage.push(description)
        order += 'd'
      },
    },
    multiplexed,
    options.max,
    options.checked,
  )
  for (const chunk of chunks) decoder.push(Buffer.from(chunk))
  if (options.end !== false) decoder.end()
  return { frames, text: Buffer.concat(text), damage, order }
}

/** Cut `bytes` at the given (sorted, deduplicated) offsets. */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const at of offsets) {
    out.push(bytes.subarray(from, at))
    from = at
  }
  out.push(bytes.subarray(from))
  return out
}

/** Distinct payloads: each starts with its index, so a misplaced frame cannot pass for another. */
const payloads = fc
  .array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 })
  .map((list) => list.map((bytes, i) => Buffer.concat([Buffer.from(`#${i}:`), bytes])))
const cuts = fc.array(fc.nat(), { maxLength: 12 })
/** Console text as a peer prints it: UTF-8, which never contains 0xF5. */
const utf8Text = fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s, 'utf8'))
/** Junk: any bytes at all, 0xF5 and partial magic included. */
const junk = fc.oneof(
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
  fc.constantFrom(
    Buffer.from([0xf5]),
    Buffer.from([0xf5, 0x56]),
    Buffer.from([0xf5, 0x56, 0x50]),
    Buffer.from([0xf5, 0x56, 0x50, 0x01]),
    Buffer.from([0xf5, 0x56, 0x50, 0x01, 0, 0, 0, 4]),
  ),
)

/** True when `sub` appears in `all` in the same order (each element used once). */
function isSubsequence(sub: Buffer[], all: Buffer[]): boolean {
  let i = 0
  for (const item of all) if (i < sub.length && item.equals(sub[i] as Buffer)) i++
  return i === sub.length
}

const RUNS = { numRuns: 300 }

describe.each([
  ['strict', false],
  ['multiplexed', true],
] as const)('FrameDecoder (%s)', (_mode, multiplexed) => {
  test('delivers every frame intact and in order, however the stream is chunked', () => {
    fc.assert(
      fc.property(payloads, cuts, (list, at) => {
        const stream = Buffer.concat(list.map(encodeFrame))
        const out = decode(cut(stream, at), multiplexed)
        expect(out.frames).toEqual(list)
        expect(out.damage).toEqual([])
        expect(out.text.length).toBe(0)
      }),
      RUNS,
    )
  })

  test('arbitrary bytes never throw, and never produce a frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), cuts, (bytes, at) => {
        const out = decode(cut(Buffer.from(bytes), at), multiplexed)
        expect(out.frames).toEqual([])
        if (multiplexed) {
          // Nothing is lost: all of it is console text.
          expect(out.text.equals(Buffer.from(bytes))).toBe(true)
          expect(out.damage).toEqual([])
        } else {
          expect(out.text.length).toBe(0)
          expect(out.damage.length).toBe(bytes.length === 0 ? 0 : 1)
        }
      }),
      RUNS,
    )
  })

  test('a single corrupted byte is reported and its frame is never delivered', () => {
    fc.assert(
      fc.property(
        payloads.filter((l) => l.length > 0),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        cuts,
        (list, which, position, xor, at) => {
          const frames = list.map(encodeFrame)
          const index = which % frames.length
          const victim = Buffer.from(frames[index] as Buffer)
          const offset = position % victim.length
          victim[offset] = (victim[offset] as number) ^ xor
          frames[index] = victim
          const out = decode(cut(Buffer.concat(frames), at), multiplexed)
          const others = list.filter((_, i) => i !== index)
          // Only frames that were sent intact come out, in order; the damaged one never does.
          expect(isSubsequence(out.frames, others)).toBe(true)
          expect(out.frames).not.toContainEqual(list[index])
          if (multiplexed) {
            // A broken header is console text; the frames after it still arrive.
            expect(out.frames).toEqual(others)
            if (offset >= FRAME_HEADER_BYTES) expect(out.damage.length).toBe(1)
          } else {
            expect(out.damage.length).toBe(1)
            if (offset >= FRAME_HEADER_BYTES) expect(out.frames).toEqual(others)
            else expect(out.frames).toEqual(list.slice(0, index))
          }
        },
      ),
      RUNS,
    )
  })

  test('a truncated stream delivers the whole frames before the cut and reports the rest', () => {
    fc.assert(
      fc.property(
        payloads.filter((l) => l.length > 0),
        fc.nat(),
        cuts,
        (list, length, at) => {
          const frames = list.map(encodeFrame)
          const stream = Buffer.concat(frames)
          const keep = length % stream.length
          const out = decode(cut(stream.subarray(0, keep), at), multiplexed)
          let whole = 0
          let used = 0
          while (whole < frames.length && used + (frames[whole] as Buffer).length <= keep) {
            used += (frames[whole] as Buffer).length
            whole++
          }
          expect(out.frames).toEqual(list.slice(0, whole))
          if (used === keep) expect(out.damage).toEqual([])
          else if (!multiplexed || keep - used >= FRAME_HEADER_BYTES) expect(out.damage.length).toBe(1)
          else expect(out.text.equals(stream.subarray(used, keep))).toBe(true)
        },
      ),
      RUNS,
    )
  })

  test('a length field over the limit is refused before any payload is awaited', () => {
    fc.assert(
      fc.property(fc.integer({ min: 65, max: 100_000 }), (length) => {
        const header = encodeFrame(Buffer.alloc(length)).subarray(0, FRAME_HEADER_BYTES)
        const out = decode([header], multiplexed, { end: false, max: 64 })
        expect(out.frames).toEqual([])
        if (multiplexed) expect(out.text.length).toBeGreaterThan(0)
        else expect(out.damage.length).toBe(1)
      }),
      RUNS,
    )
  })

  test('chunking never changes what is decoded', () => {
    const stream = fc
      .array(
        fc.oneof(
          payloads.map((l) => Buffer.concat(l.map(encodeFrame))),
          junk,
          utf8Text,
        ),
        { maxLength: 10 },
      )
      .map((parts) => Buffer.concat(parts))
    fc.assert(
      fc.property(stream, cuts, (bytes, at) => {
        const whole = decode([bytes], multiplexed)
        const chunked = decode(cut(bytes, at), multiplexed)
        const byteByByte = decode(
          Array.from(bytes, (b) => Buffer.from([b])),
          multiplexed,
        )
        for (const other of [chunked, byteByByte]) {
          expect(other.frames).toEqual(whole.frames)
          expect(other.text.equals(whole.text)).toBe(true)
          expect(other.damage.length).toBe(whole.damage.length)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('FrameDecoder (multiplexed stdout)', () => {
  test('console text of any UTF-8, interleaved with frames, comes out unchanged and in order', () => {
    const part = fc.oneof(
      utf8Text.map((bytes) => ({ text: bytes })),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ frame: Buffer.from(bytes) })),
    )
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), cuts, (parts, at) => {
        const stream = Buffer.concat(parts.map((p) => ('frame' in p ? encodeFrame(p.frame) : p.text)))
        const out = decode(cut(stream, at), true)
        const frames = parts.flatMap((p) => ('frame' in p ? [p.frame] : []))
        const text = Buffer.concat(parts.flatMap((p) => ('text' in p ? [p.text] : [])))
        expect(out.frames).toEqual(frames)
        expect(out.text.equals(text)).toBe(true)
        expect(out.damage).toEqual([])
        const expectedOrder = parts
          .filter((p) => !('text' in p) || p.text.length > 0)
          .map((p) => ('frame' in p ? 'f' : 't'))
          .join('')
          .replace(/t+/g, 't')
        expect(out.order).toBe(expectedOrder)
      }),
      RUNS,
    )
  })

  test('junk bytes (0xF5, partial magic, forged headers) between frames never hide or damage a frame', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(junk, fc.uint8Array({ maxLength: 100 })), { maxLength: 8 }), cuts, (parts, at) => {
        const stream = Buffer.concat(parts.flatMap(([j, p]) => [j, encodeFrame(p)]))
        const out = decode(cut(stream, at), true)
        expect(out.frames).toEqual(parts.map(([, p]) => Buffer.from(p)))
        expect(out.text.equals(Buffer.concat(parts.map(([j]) => j)))).toBe(true)
      }),
      RUNS,
    )
  })
})

describe('FrameDecoder (strict)', () => {
  test('stops at the first byte outside a frame and delivers nothing after it', () => {
    fc.assert(
      fc.property(
        payloads,
        junk.filter((j) => j.length > 0),
        payloads,
        (before, bad, after) => {
          const stream = Buffer.concat([...before.map(encodeFrame), bad, ...after.map(encodeFrame)])
          const out = decode([stream], false)
          expect(out.frames).toEqual(before)
          expect(out.damage.length).toBe(1)
        },
      ),
      RUNS,
    )
  })
})

describe('frames without payload CRC (stdin, sockets)', () => {
  test('deliver every frame intact and in order, however the stream is chunked', () => {
    fc.assert(
      fc.property(payloads, cuts, (sent, at) => {
        const stream = Buffer.concat(sent.map((p) => encodeUncheckedFrame(p)))
        const got = decode(cut(stream, at), false, { checked: false })
        expect(got.damage).toEqual([])
        expect(got.frames).toEqual(sent)
      }),
    )
  })

  test('writeFrame writes what encodeFrame encodes, small payloads copied, large ones gathered', () => {
    for (const size of [0, 5, 64 * 1024 - 1, 64 * 1024, 300_000]) {
      const payload = Buffer.alloc(size, size & 0xff)
      const stream = new PassThrough()
      const written: Buffer[] = []
      stream.on('data', (chunk: Buffer) => written.push(chunk))
      writeFrame(stream, payload)
      expect(Buffer.concat(written).equals(encodeUncheckedFrame(payload)), `${size} bytes`).toBe(true)
    }
  })

  test('a checked frame read as unchecked (or the reverse) is damage in strict mode, never a wrong payload', () => {
    const payload = Buffer.from('#0:abc')
    const asUnchecked = decode([encodeFrame(payload), encodeFrame(payload)], false, { checked: false })
    expect(asUnchecked.frames).toEqual([payload])
    expect(asUnchecked.damage).toHaveLength(1)
    const asChecked = decode([encodeUncheckedFrame(payload)], false)
    expect(asChecked.frames).toEqual([])
    expect(asChecked.damage).toHaveLength(1)
  })
})
