// Both sides: the frame layout of the byte-stream control connections (stdio, TCP, Unix socket).
//
//   magic F5 56 50 01 | length:u32 BE | header CRC32:u32 BE | payload (length bytes) [| payload CRC32:u32 BE]
//
// 0xF5 never occurs in UTF-8, and the header CRC (over magic + length) makes a false start in
// console text a 1-in-2^32 event, so on a multiplexed stdout the decoder can tell frames from
// text byte by byte and resynchronise after junk. The payload CRC is there only on a stream that
// something else can write into (the peer's stdout on 'stdio') and on the handshake frames: a
// frame whose header is sound but whose payload fails it is reported as damaged, never delivered.
// Streams only the two sides write (stdin, sockets) carry frames without it. PROTOCOL.md has the
// details.
import type { Writable } from 'node:stream'
import { FRAME_STALL_MS, MAX_FRAME_BYTES } from '../constants.js'
import { crc32 } from './crc32.js'

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setTimeout, clearTimeout } = globalThis

const MAGIC0 = 0xf5
const MAGIC = Buffer.from([MAGIC0, 0x56, 0x50, 0x01])
/** magic + length + header CRC */
export const FRAME_HEADER_BYTES = 12
/** payload CRC (checked frames only) */
export const FRAME_TRAILER_BYTES = 4
/** From this payload size on, `writeFrame` writes the payload as it is, beside its header, uncopied. */
const COPY_BELOW_BYTES = 64 * 1024

/** One frame around `payload` with its payload CRC, in one buffer. */
export function encodeFrame(payload: Uint8Array): Buffer {
  return frameOf(payload, true)
}

/** One frame around `payload` without payload CRC, in one buffer. */
export function encodeUncheckedFrame(payload: Uint8Array): Buffer {
  return frameOf(payload, false)
}

function frameOf(payload: Uint8Array, checked: boolean): Buffer {
  const trailer = checked ? FRAME_TRAILER_BYTES : 0
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length + trailer)
  writeHeader(frame, payload.length)
  frame.set(payload, FRAME_HEADER_BYTES)
  if (checked) frame.writeUInt32BE(crc32(payload), FRAME_HEADER_BYTES + payload.length)
  return frame
}

function writeHeader(frame: Buffer, length: number): void {
  MAGIC.copy(frame, 0)
  frame.writeUInt32BE(length, 4)
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8)
}

/**
 * Write one frame around `payload` (without payload CRC) on `stream`: a small one as one copied
 * buffer, a large one as its header and the payload itself in one gathered write (writev).
 */
export function writeFrame(stream: Writable, payload: Uint8Array): void {
  if (payload.length < COPY_BELOW_BYTES) {
    stream.write(frameOf(payload, false))
    return
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES)
  writeHeader(header, payload.length)
  stream.cork()
  stream.write(header)
  stream.write(payload)
  stream.uncork()
}

/** What a decoder reports. */
export interface FrameSink {
  /** A whole frame whose CRCs match. The buffer may be a view into a larger one: copy to keep. */
  frame(payload: Buffer): void
  /** Bytes outside frames (multiplexed mode only): console text, possibly a partial UTF-8 sequence. */
  text?(bytes: Buffer): void
  /**
   * Damage: a frame whose payload failed its CRC (skipped whole), or, in strict mode, bytes
   * that do not start a valid frame (the decoder stops; the connection should be closed).
   */
  damage(description: string): void
}

/**
 * Incremental frame decoder. `multiplexed: true` (a peer's stdout) passes bytes outside frames to
 * `sink.text`; `multiplexed: false` (stdin, sockets) treats them as damage and stops decoding.
 * `checked`: frames carry the payload CRC (always so when multiplexed).
 */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private size = 0
  /** Bytes needed (from the start of the kept data) before parsing can make progress. */
  private need = 0
  private stopped = false
  /** Multiplexed: checks, while a frame is incomplete, whether it was a forged header (see `checkStall`). */
  private stallTimer: ReturnType<typeof setTimeout> | undefined
  /** Bytes after the payload: its CRC, or none. */
  private readonly trailerBytes: number

  constructor(
    private readonly sink: FrameSink,
    private readonly multiplexed: boolean,
    private readonly maxFrameBytes = MAX_FRAME_BYTES,
    checked = true,
  ) {
    this.trailerBytes = checked || multiplexed ? FRAME_TRAILER_BYTES : 0
  }

  /** Feed bytes as they arrive. */
  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.size < this.need) return
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.size)
    const used = this.parse(data)
    if (this.stopped) {
      this.chunks = []
      this.size = 0
      return
    }
    this.chunks = used < data.length ? [data.subarray(used)] : []
    this.size = data.length - used
    if (this.multiplexed) this.watchStall()
  }

  /** The stream ended: whatever is held back is text (multiplexed) or a truncated frame. */
  end(): void {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.stallTimer)
    if (this.size === 0) return
    const rest = Buffer.concat(this.chunks, this.size)
    this.chunks = []
    this.size = 0
    if (this.multiplexed && !this.startsSoundHeader(rest, 0)) this.sink.text?.(rest)
    else this.sink.damage(`stream ended inside a frame (${rest.length} bytes held)`)
  }

  /** While a frame is incomplete, look at it every FRAME_STALL_MS; none pending, no timer. */
  private watchStall(): void {
    const pending = this.need > this.size && this.size >= FRAME_HEADER_BYTES
    if (!pending) {
      clearTimeout(this.stallTimer)
      this.stallTimer = undefined
    } else if (this.stallTimer === undefined) {
      this.stallTimer = setTimeout(() => this.checkStall(), FRAME_STALL_MS)
      this.stallTimer.unref?.()
    }
  }

  /**
   * A frame has been incomplete for FRAME_STALL_MS. A frame the runtime writes is one blocking
   * write, so complete frames cannot follow its header before its own end: if one does, the
   * header was forged (written past the runtime, e.g. a native write of hand-made bytes) and the
   * decoder would wait for bytes that never come. Give it up: its bytes up to the next complete
   * frame are console text, reported as damage. A large frame still arriving, or a paused peer,
   * has no complete frame after its header and is waited for.
   */
  private checkStall(): void {
    this.stallTimer = undefined
    if (this.stopped || !(this.need > this.size)) return
    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size)
    this.chunks = [data]
    const next = this.nextCompleteFrame(data)
    if (next === -1) return this.watchStall()
    this.sink.damage(
      `a frame header announced ${data.readUInt32BE(4)} bytes, but complete frames followed it within ${FRAME_STALL_MS} ms: not a frame; its ${next} bytes are passed on as console text`,
    )
    this.sink.text?.(data.subarray(0, next))
    this.chunks = []
    this.size = 0
    this.need = 0
    this.push(data.subarray(next))
  }

  /** Where the first complete, sound frame after the pending frame's header starts, or -1. */
  private nextCompleteFrame(data: Buffer): number {
    for (let at = data.indexOf(MAGIC0, 1); at !== -1; at = data.indexOf(MAGIC0, at + 1)) {
      if (!this.startsSoundHeader(data, at)) continue
      const length = data.readUInt32BE(at + 4)
      const end = at + FRAME_HEADER_BYTES + length + FRAME_TRAILER_BYTES
      if (end > data.length) continue
      const payload = data.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length)
      if (crc32(payload) === data.readUInt32BE(end - FRAME_TRAILER_BYTES)) return at
    }
    return -1
  }

  private parse(data: Buffer): number {
    let offset = 0
    this.need = 0
    while (offset < data.length && !this.stopped) {
      if (data[offset] !== MAGIC0) {
        if (!this.multiplexed) return this.fail(`unexpected byte 0x${data[offset]?.toString(16)} outside a frame`)
        const next = data.indexOf(MAGIC0, offset)
        const end = next === -1 ? data.length : next
        this.sink.text?.(data.subarray(offset, end))
        offset = end
        continue
      }
      if (data.length - offset < FRAME_HEADER_BYTES) {
        // Could be a frame start or a lone 0xF5 in text: wait for the rest of the header.
        if (!this.prefixMatches(data, offset)) {
          offset = this.notAFrame(data, offset)
          continue
        }
        this.need = FRAME_HEADER_BYTES
        return offset
      }
      if (!this.startsSoundHeader(data, offset)) {
        offset = this.notAFrame(data, offset)
        continue
      }
      const length = data.readUInt32BE(offset + 4)
      const total = FRAME_HEADER_BYTES + length + this.trailerBytes
      if (data.length - offset < total) {
        this.need = total
        return offset
      }
      const payload = data.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length)
      if (this.trailerBytes === 0 || crc32(payload) === data.readUInt32BE(offset + FRAME_HEADER_BYTES + length)) {
        this.sink.frame(payload)
      } else this.sink.damage(`frame of ${length} bytes failed its payload CRC; dropped`)
      offset += total
    }
    return offset
  }

  /** The bytes at `offset` start with as much of the magic as there is. */
  private prefixMatches(data: Buffer, offset: number): boolean {
    const n = Math.min(MAGIC.length, data.length - offset)
    return data.subarray(offset, offset + n).equals(MAGIC.subarray(0, n))
  }

  private startsSoundHeader(data: Buffer, offset: number): boolean {
    if (data.length - offset < FRAME_HEADER_BYTES) return false
    if (!data.subarray(offset, offset + 4).equals(MAGIC)) return false
    if (crc32(data.subarray(offset, offset + 8)) !== data.readUInt32BE(offset + 8)) return false
    return data.readUInt32BE(offset + 4) <= this.maxFrameBytes
  }

  /** A 0xF5 that does not start a frame: text when multiplexed, damage otherwise. */
  private notAFrame(data: Buffer, offset: number): number {
    if (!this.multiplexed) return this.fail('bytes that do not start a valid frame header')
    this.sink.text?.(data.subarray(offset, offset + 1))
    return offset + 1
  }

  private fail(description: string): number {
    this.stopped = true
    this.sink.damage(description)
    return 0
  }
}
