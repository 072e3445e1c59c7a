// Peer side (test:reliability): junk written past the runtime: onto the control connection of a
// TCP or Unix-socket peer, found among the process's handles (the socket to the origin is the
// only net.Socket that is not stdin, stdout or stderr), or onto fd 1.
import { randomBytes } from 'node:crypto'
import { writeSync } from 'node:fs'
import { Socket } from 'node:net'
import { serialize } from 'node:v8'
import { crc32 } from 'node:zlib'
import { JUNK_MESSAGES } from '../../fixtures/junk-messages.mjs'

function controlSocket() {
  const std = new Set([process.stdin, process.stdout, process.stderr])
  const sockets = process._getActiveHandles().filter((h) => h instanceof Socket && !std.has(h))
  if (sockets.length !== 1) throw new Error(`expected one control socket, found ${sockets.length}`)
  return sockets[0]
}

/**
 * A sound frame around `payload` as frame.ts writes it on a socket after the handshake: magic,
 * length, header CRC, payload (no payload CRC: only the two sides write on a socket).
 */
function frame(payload) {
  const out = Buffer.alloc(12 + payload.length)
  out.set([0xf5, 0x56, 0x50, 0x01], 0)
  out.writeUInt32BE(payload.length, 4)
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8)
  payload.copy(out, 12)
  return out
}

/** Writes each malformed message of fixtures/junk-messages.mjs in a sound frame on the control socket. */
export function socketMessages() {
  const socket = controlSocket()
  for (const message of JUNK_MESSAGES) socket.write(frame(serialize(message)))
  return JUNK_MESSAGES.length
}

/** Writes `count` random bytes on the control socket: damage to the stream itself. */
export function socketBytes(count) {
  controlSocket().write(randomBytes(count))
  return count
}

/** Writes `count` random bytes straight to fd 1 (on 'stdio', the stream the frames share). */
export function stdoutBytes(count) {
  writeSync(1, randomBytes(count))
  return count
}
