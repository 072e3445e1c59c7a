// Peer side (test:reliability): large values and long runs of messages, both ways.
import { writeSync } from 'node:fs'
import { origin, register } from '@vitest-peer/core/peer'

/** Sends 0, 1, …, count - 1 to the origin (`origin.send`), in order. */
export function sendCount(count) {
  for (let i = 0; i < count; i++) origin.send(i)
  return count
}

let received = 0
let inOrder = true

/** Registers `sink`: a handler that checks the messages it gets are 0, 1, 2, … */
export function openSink() {
  received = 0
  inOrder = true
  register('sink', (message) => {
    if (message !== received) inOrder = false
    received += 1
  })
  return true
}

/** What `sink` got so far. */
export function sinkState() {
  return { received, inOrder }
}

/** A Buffer of `bytes` bytes, each `fill`. */
export function bigBuffer(bytes, fill) {
  return Buffer.alloc(bytes, fill)
}

/** The length of a Buffer and a sum of a sample of its bytes (it arrived whole). */
export function measure(buffer) {
  let sample = 0
  for (let i = 0; i < buffer.length; i += 4096) sample += buffer[i]
  return { length: buffer.length, sample }
}

/**
 * Prints `count` lines of 1 MiB each, through the console relay (`relay`) or straight to fd 1 with
 * write(2) (`raw`, as native code does), as fast as the peer can.
 */
export function floodLines(count, how) {
  const line = `${'x'.repeat(1024 * 1024 - 1)}\n`
  const bytes = Buffer.from(line)
  for (let i = 0; i < count; i++) {
    if (how === 'raw') writeAll(bytes)
    else process.stdout.write(line)
  }
  return count
}

/**
 * write(2) until every byte is out. Node makes a pipe on fd 1 non-blocking (except the 'stdio'
 * connection's, which the runtime makes blocking), so a full pipe answers EAGAIN, as it would to
 * native code: a writer that wants every byte out writes again.
 */
function writeAll(bytes) {
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset)
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error
    }
  }
}
