// Origin side: validation of `startPeer` options before anything is spawned (OTP's `verify_args`).
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { serialize } from 'node:v8'
import { BOOT_TIMEOUT_MS, HALT_TIMEOUT_MS } from '../constants.js'
import { PeerOptionsError } from '../errors.js'
import { NAME_MAX_LENGTH, NAME_PATTERN, randomName } from './names.js'
import type { Connection, PeerDownMode, PeerOptions } from './types.js'

/** How `stop()` proceeds, derived from the `shutdown` option; `timeout` may be `Infinity` (no SIGKILL). */
export type StopPlan = { kind: 'close' } | { kind: 'halt'; timeout: number } | { kind: 'graceful'; timeout: number }

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  /** The options as given (a copy), for `restart()`. */
  given: PeerOptions
  name: string
  connection: Connection
  exec: string
  execArgs: string[]
  /**
   * `exec` was given as `[command, args]`: a wrapper (ssh, docker) that may run the peer where the
   * runtime file does not exist, so byte-stream connections send the runtime over stdin.
   */
  wrapped: boolean
  args: string[]
  postProcessArgs: ((argv: string[]) => string[]) | undefined
  env: Record<string, string | undefined>
  cwd: string
  waitBoot: number | false
  /** How long booting may take before it fails: `waitBoot`, or the default when that is `false`. */
  bootTimeout: number
  peerDown: PeerDownMode
  stop: StopPlan
  detached: boolean
  signal: AbortSignal | undefined
  /** Milliseconds of silence that make a running peer unresponsive, or `false`. */
  heartbeat: number | false
  /** The module resolver: its specifier (a URL's href) and the data it gets. */
  moduleResolver: { module: string; data: unknown } | undefined
}

const KNOWN = new Set([
  'name',
  'connection',
  'exec',
  'args',
  'postProcessArgs',
  'env',
  'cwd',
  'waitBoot',
  'peerDown',
  'shutdown',
  'detached',
  'signal',
  'moduleResolver',
  'heartbeat',
])

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const isTimeout = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const isDeadline = (v: unknown): v is number => isTimeout(v) || v === Number.POSITIVE_INFINITY

/** Validate `options` and fill in defaults; throws `PeerOptionsError` naming the first bad option. */
export function resolveOptions(options: PeerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new PeerOptionsError('options', options, 'an object')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new PeerOptionsError(
        key,
        (options as Record<string, unknown>)[key],
        `one of the known options: ${[...KNOWN].join(', ')}`,
      )
    }
  }
  const o = options as Record<keyof PeerOptions, unknown>

  const name = o.name === undefined ? randomName() : o.name
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > NAME_MAX_LENGTH) {
    throw new PeerOptionsError('name', name, `a string of 1 to ${NAME_MAX_LENGTH} characters [A-Za-z0-9_-]`)
  }

  const connection = o.connection === undefined ? 'ipc' : o.connection
  if (!isConnection(connection)) {
    throw new PeerOptionsError(
      'connection',
      connection,
      "'ipc', 'stdio', { tcp: port | { host, port } } or { uds: path | true }",
    )
  }

  let exec = process.execPath
  let execArgs: string[] = []
  if (typeof o.exec === 'string' && o.exec !== '') exec = o.exec
  else if (
    Array.isArray(o.exec) &&
    o.exec.length === 2 &&
    typeof o.exec[0] === 'string' &&
    o.exec[0] !== '' &&
    isStringArray(o.exec[1])
  ) {
    exec = o.exec[0]
    execArgs = [...o.exec[1]]
  } else if (o.exec !== undefined) {
    throw new PeerOptionsError('exec', o.exec, 'a program path or [command, args]')
  }

  const args = o.args === undefined ? [] : o.args
  if (!isStringArray(args)) throw new PeerOptionsError('args', args, 'an array of strings')

  if (o.postProcessArgs !== undefined && typeof o.postProcessArgs !== 'function') {
    throw new PeerOptionsError('postProcessArgs', o.postProcessArgs, 'a function (argv: string[]) => string[]')
  }

  const env = o.env === undefined ? {} : o.env
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new PeerOptionsError('env', env, 'an object of strings')
  }
  for (const [key, value] of Object.entries(env)) {
    if (key === '' || key.includes('=') || (value !== undefined && typeof value !== 'string')) {
      throw new PeerOptionsError('env', value, `a string, or undefined to remove the variable (env.${key})`)
    }
  }

  const cwd = o.cwd === undefined ? process.cwd() : o.cwd
  if (typeof cwd !== 'string' || !isDirectory(cwd)) throw new PeerOptionsError('cwd', cwd, 'an existing directory')

  const waitBoot = o.waitBoot === undefined ? BOOT_TIMEOUT_MS : o.waitBoot
  if (waitBoot !== false && !(isTimeout(waitBoot) && waitBoot > 0)) {
    throw new PeerOptionsError('waitBoot', waitBoot, 'a positive number of milliseconds, or false')
  }

  const peerDown = o.peerDown === undefined ? 'stop' : o.peerDown
  if (peerDown !== 'stop' && peerDown !== 'continue' && peerDown !== 'crash') {
    throw new PeerOptionsError('peerDown', peerDown, "'stop', 'continue' or 'crash'")
  }

  const stop = resolveShutdown(o.shutdown)

  const detached = o.detached === undefined ? false : o.detached
  if (typeof detached !== 'boolean') throw new PeerOptionsError('detached', detached, 'a boolean')

  const signal = o.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new PeerOptionsError('signal', signal, 'an AbortSignal')
  }

  const moduleResolver = resolveModuleResolver(o.moduleResolver)

  const heartbeat = o.heartbeat === undefined ? false : o.heartbeat
  if (heartbeat !== false && !(isTimeout(heartbeat) && heartbeat >= 4)) {
    throw new PeerOptionsError('heartbeat', heartbeat, 'a number of milliseconds (at least 4), or false')
  }

  return {
    // Copies of the arrays and objects: a caller that changes its options later changes no restart.
    given: {
      ...options,
      ...(o.args === undefined ? {} : { args: [...args] }),
      ...(o.env === undefined ? {} : { env: { ...env } as Record<string, string | undefined> }),
    },
    name,
    connection,
    exec,
    execArgs,
    wrapped: Array.isArray(o.exec),
    args: [...args],
    postProcessArgs: o.postProcessArgs as ResolvedOptions['postProcessArgs'],
    env: { ...env } as Record<string, string | undefined>,
    cwd: resolve(cwd),
    waitBoot,
    bootTimeout: waitBoot === false ? BOOT_TIMEOUT_MS : waitBoot,
    peerDown,
    stop,
    detached,
    signal,
    moduleResolver,
    heartbeat,
  }
}

function resolveModuleResolver(value: unknown): ResolvedOptions['moduleResolver'] {
  if (value === undefined) return undefined
  const expected = '{ module: string | URL, data?: structured-clonable value }'
  if (typeof value !== 'object' || value === null) throw new PeerOptionsError('moduleResolver', value, expected)
  const { module, data, ...rest } = value as { module?: unknown; data?: unknown }
  const specifier = typeof module === 'object' && module !== null ? (module as URL).href : module
  if (typeof specifier !== 'string' || specifier === '' || Object.keys(rest).length > 0) {
    throw new PeerOptionsError('moduleResolver', value, expected)
  }
  try {
    serialize(data)
  } catch (error) {
    throw new PeerOptionsError(
      'moduleResolver',
      value,
      `${expected} (its data cannot be cloned: ${(error as Error).message})`,
    )
  }
  return { module: specifier, data }
}

function resolveShutdown(shutdown: unknown): StopPlan {
  if (shutdown === undefined || shutdown === 'halt') return { kind: 'halt', timeout: HALT_TIMEOUT_MS }
  if (shutdown === 'close') return { kind: 'close' }
  if (isDeadline(shutdown)) return { kind: 'graceful', timeout: shutdown }
  if (
    typeof shutdown === 'object' &&
    shutdown !== null &&
    Object.keys(shutdown).length === 1 &&
    isDeadline((shutdown as { halt?: unknown }).halt)
  ) {
    return { kind: 'halt', timeout: (shutdown as { halt: number }).halt }
  }
  throw new PeerOptionsError(
    'shutdown',
    shutdown,
    "'close', 'halt', { halt: ms } or a number of milliseconds (Infinity: no deadline)",
  )
}

function isConnection(value: unknown): value is Connection {
  if (value === 'ipc' || value === 'stdio') return true
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 1) return false
  if ('tcp' in value) {
    const tcp = value.tcp
    if (isPort(tcp)) return true
    return (
      typeof tcp === 'object' &&
      tcp !== null &&
      typeof (tcp as { host?: unknown }).host === 'string' &&
      (tcp as { host: string }).host !== '' &&
      isPort((tcp as { port?: unknown }).port)
    )
  }
  if ('uds' in value) return value.uds === true || (typeof value.uds === 'string' && value.uds !== '')
  return false
}

function isPort(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
