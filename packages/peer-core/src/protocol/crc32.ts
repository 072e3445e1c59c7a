// Both sides: the CRC-32 of the frames (frame.ts).
//
// `zlib.crc32` exists from Node 20.15 and 22.2 (https://nodejs.org/api/zlib.html#zlibcrc32data-value),
// but origins and peers also run on Node 20.11-20.14. There the portable version below is used: the
// same CRC (the reflected polynomial 0xEDB88320 of zlib, gzip and PNG), slicing-by-8 (eight
// 256-entry tables, eight bytes per step), ~1 GB/s against zlib's ~5 GB/s.
import { zlib } from './builtins.js'

/** The CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it), as `zlib.crc32`. */
export type Crc32 = (data: Uint8Array, value?: number) => number

/** Table `k` (entries `k * 256 …`) advances a byte by `k` more positions; built on first use. */
let tables: Int32Array | undefined

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  for (let i = 256; i < t.length; i++) {
    const previous = t[i - 256]!
    t[i] = (previous >>> 8) ^ t[previous & 0xff]!
  }
  return t
}

/** The CRC-32 in JavaScript, for Nodes without `zlib.crc32`. */
export function portableCrc32(data: Uint8Array, value = 0): number {
  tables ??= buildTables()
  const t = tables
  let c = ~value
  let i = 0
  for (const last = data.length - 8; i <= last; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

/** Below this many bytes the portable CRC is as fast as a call into zlib (frame headers, handshakes). */
const SMALL_BYTES = 256

/**
 * zlib's CRC-32 where this Node has it, the portable one elsewhere; decided on the first input of
 * SMALL_BYTES or more, so that zlib loads only when a payload needs it (the multiplexed stdout's).
 */
let bulkCrc32: Crc32 = (data, value) => {
  const native = (zlib() as { crc32?: Crc32 }).crc32
  bulkCrc32 = typeof native === 'function' ? native : portableCrc32
  return bulkCrc32(data, value)
}

/** The CRC-32 of `data`, continuing from `value`, as `zlib.crc32`. */
export const crc32: Crc32 = (data, value) =>
  data.length < SMALL_BYTES ? portableCrc32(data, value) : bulkCrc32(data, value)
