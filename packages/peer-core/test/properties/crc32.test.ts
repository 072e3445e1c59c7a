// Property tests of the portable CRC-32 (src/protocol/crc32.ts), the one origins and peers use on
// Node 20.11-20.14: on any bytes, from any offset, continuing from any previous CRC, it equals
// zlib.crc32 of the Node running the tests (Vitest needs a Node that has it).
import * as zlib from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { crc32, portableCrc32 } from '../../src/protocol/crc32.js'

const RUNS = { numRuns: 500 }
/** Lengths around the 8-byte steps, and a few steps' worth. */
const bytes = fc.uint8Array({ maxLength: 1000 })
/** A view into a larger buffer, at any byte offset (frames are checked as subarrays). */
const view = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 1000 }), fc.nat(), fc.nat()).map(([all, a, b]) => {
  const [from, to] = [a % (all.length + 1), b % (all.length + 1)].sort((x, y) => x - y)
  return all.subarray(from, to)
})
const uint32 = fc.integer({ min: 0, max: 0xffff_ffff })

describe('portableCrc32', () => {
  test('equals zlib.crc32 on any bytes', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        expect(portableCrc32(data)).toBe(zlib.crc32(data))
      }),
      RUNS,
    )
  })

  test('equals zlib.crc32 on views at any offset', () => {
    fc.assert(
      fc.property(view, (data) => {
        expect(portableCrc32(data)).toBe(zlib.crc32(data))
      }),
      RUNS,
    )
  })

  test('continues from any previous value as zlib.crc32(data, value) does', () => {
    fc.assert(
      fc.property(bytes, uint32, (data, value) => {
        expect(portableCrc32(data, value)).toBe(zlib.crc32(data, value))
      }),
      RUNS,
    )
  })

  test('the CRC of a split input continued over its second part is the CRC of the whole', () => {
    fc.assert(
      fc.property(bytes, bytes, (head, tail) => {
        const whole = Buffer.concat([head, tail])
        expect(portableCrc32(tail, portableCrc32(head))).toBe(zlib.crc32(whole))
      }),
      RUNS,
    )
  })

  test('gives the standard check value and handles a multi-megabyte input', () => {
    // The CRC-32 check value: the CRC of the ASCII bytes "123456789" is 0xCBF43926.
    expect(portableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(portableCrc32(new Uint8Array(0))).toBe(0)
    const big = Buffer.alloc(3 * 1024 * 1024 + 5)
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 13
    expect(portableCrc32(big)).toBe(zlib.crc32(big))
  })
})

test('crc32: the portable CRC below 256 bytes, zlib.crc32 from 256 where this Node has it; equal on any bytes', () => {
  expect(typeof zlib.crc32).toBe('function')
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
  fc.assert(
    fc.property(bytes, uint32, (data, value) => {
      expect(crc32(data, value)).toBe(zlib.crc32(data, value))
    }),
    RUNS,
  )
})
