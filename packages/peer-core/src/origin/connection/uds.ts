// Origin side: the Unix-domain-socket control connection (`{ uds: path | true }`). The origin
// listens on the path and the peer connects back, authenticated (socket.ts). `true` puts the
// socket in a fresh private directory (mode 0700: only this user can enter it). For a given path, the checks of OTP's
// erl_uds_dist: a socket file nobody listens on is stale and removed; a live listener means the
// name is in use, which is an error.
import { rmSync } from 'node:fs'
import { chmod, lstat, mkdtemp, unlink } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PeerBootError, PeerOptionsError } from '../../errors.js'
import { RUNTIME_FLAGS } from '../../protocol/flags.js'
import type { ResolvedOptions } from '../options.js'
import { socketConnection } from './socket.js'
import type { OriginConnection } from './types.js'

/** Longest socket path `bind` takes: sun_path is 108 bytes on Linux, 104 on macOS/BSD, NUL included. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103
const DIR_PREFIX = 'vitest-peer-'
const SUFFIX = '.sock'

export async function udsConnection(options: ResolvedOptions, spec: string | true): Promise<OriginConnection> {
  let path: string
  let dir: string | undefined
  if (spec === true) {
    dir = await privateDir()
    path = join(dir, fitName(dir, options.name))
  } else {
    path = resolve(spec)
    const bytes = Buffer.byteLength(path)
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw new PeerOptionsError(
        'connection',
        { uds: spec },
        `a Unix socket path of at most ${MAX_SOCKET_PATH_BYTES} bytes (${path} has ${bytes}); use { uds: true } for a short private one`,
      )
    }
    await clearStale(path, options.name)
  }
  const server = createServer({ pauseOnConnect: true })
  const removeDir = dir === undefined ? undefined : () => rmSync(dir, { recursive: true, force: true })
  try {
    await listen(server, path, options.name)
    // Only this user may connect (the private directory already keeps others out).
    await chmod(path, 0o600)
  } catch (error) {
    server.close()
    removeDir?.()
    throw error
  }
  return socketConnection(options, {
    server,
    address: `uds ${path}`,
    flags: [RUNTIME_FLAGS.connection, 'uds', RUNTIME_FLAGS.origin, path],
    cleanup: removeDir,
  })
}

/** A new directory only this user can enter (mkdtemp creates it 0700), short enough for a socket. */
async function privateDir(): Promise<string> {
  const base = tmpdir()
  // Room for the directory (prefix + 6 random characters), a separator and at least 'p.sock'.
  const room = MAX_SOCKET_PATH_BYTES - (DIR_PREFIX.length + 6 + 1 + 1 + SUFFIX.length + 1)
  return mkdtemp(join(Buffer.byteLength(base) <= room ? base : '/tmp', DIR_PREFIX))
}

/**
 * `<name>.sock`, the name cut to fit the path limit. The directory is unique per peer, so a cut
 * name cannot collide with another peer's socket.
 */
function fitName(dir: string, name: string): string {
  const room = MAX_SOCKET_PATH_BYTES - Buffer.byteLength(dir) - 1 - SUFFIX.length
  return `${name.slice(0, Math.max(1, room))}${SUFFIX}`
}

/** erl_uds_dist's check: a socket nobody answers on is stale and removed; a live one is in use. */
async function clearStale(path: string, name: string): Promise<void> {
  let isSocket: boolean
  try {
    isSocket = (await lstat(path)).isSocket()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if (!isSocket) {
    throw new PeerBootError(`Unix socket path ${path} for peer ${name} exists and is not a socket; it was left alone`, {
      peer: name,
    })
  }
  if (await answers(path)) {
    throw new PeerBootError(
      `Unix socket path ${path} for peer ${name} is in use: another process is listening on it (name in use)`,
      { peer: name },
    )
  }
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
}

/** True when something accepts connections on `path`; false when the socket file is stale. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const probe = connect(path)
    probe.once('connect', () => {
      probe.destroy()
      resolvePromise(true)
    })
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolvePromise(false)
      else reject(error)
    })
  })
}

function listen(server: Server, path: string, name: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the path is in use (name in use)' : error.message
      reject(
        new PeerBootError(`could not listen on Unix socket ${path} for peer ${name}: ${why}`, {
          peer: name,
          cause: error,
        }),
      )
    })
    server.listen(path, () => resolvePromise())
  })
}
