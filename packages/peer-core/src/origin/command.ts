// Origin side: the exact program and argument vector that start a peer (SPEC 1.3 `exec`, `argv`).
import { accessSync, constants } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PeerOptionsError } from '../errors.js'
import type { ResolvedOptions } from './options.js'

/** The peer runtime, built next to this module (dist/runtime.cjs). */
export const RUNTIME_PATH = fileURLToPath(new URL('./runtime.cjs', import.meta.url))

/** Command-line flags of the peer runtime; the peer side parses the same names. */
export const RUNTIME_FLAGS = {
  name: '--vitest-peer-name',
  connection: '--vitest-peer-connection',
  /** The peer watches its parent from a thread (when setpriv is not used). */
  watchdog: '--vitest-peer-watchdog',
  /** TCP: the origin's candidate addresses, comma-separated; Unix socket: the socket path. */
  origin: '--vitest-peer-origin',
  /** TCP: the origin's port. */
  port: '--vitest-peer-port',
  /** TCP and Unix socket: how long (ms) the peer keeps trying to connect back. */
  connectTimeout: '--vitest-peer-connect-timeout',
} as const

let setprivPath: string | null | undefined

/**
 * `setpriv` from util-linux, when this is Linux and it is installed. Running the peer under
 * `setpriv --pdeathsig KILL` makes the kernel kill it when the origin dies, even while the peer's
 * JavaScript is stuck in a synchronous loop and cannot see its control connection close
 * (research/node-mechanics.md §1: 2 ms, against 2 s for a busy peer without it).
 */
function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath
  setprivPath = null
  if (process.platform === 'linux' && process.env.VITEST_PEER_NO_PDEATHSIG === undefined) {
    for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
      try {
        accessSync(candidate, constants.X_OK)
        setprivPath = candidate
        break
      } catch {}
    }
  }
  return setprivPath
}

/** Build `[exec, argv]` for a peer: wrapper, Node flags, runtime, runtime flags; then `postProcessArgs`. */
export function buildCommand(
  options: ResolvedOptions,
  runtime: { entry: string[]; flags: string[] },
): [string, string[]] {
  const setpriv = findSetpriv()
  // Without setpriv, a local peer watches its parent from a thread instead (peer/watchdog.ts);
  // behind a wrapper its parent is not this process, so only the connection links it.
  const watchdog = setpriv === null && !options.wrapped ? [RUNTIME_FLAGS.watchdog] : []
  let argv = [
    ...options.execArgs,
    ...options.args,
    ...runtime.entry,
    RUNTIME_FLAGS.name,
    options.name,
    ...runtime.flags,
    ...watchdog,
  ]
  if (options.postProcessArgs) {
    const processed = options.postProcessArgs([...argv])
    if (!Array.isArray(processed) || !processed.every((a) => typeof a === 'string')) {
      throw new PeerOptionsError('postProcessArgs', processed, 'a function that returns an array of strings')
    }
    argv = processed
  }
  if (setpriv === null) return [options.exec, argv]
  return [setpriv, ['--pdeathsig', 'KILL', '--', options.exec, ...argv]]
}

/** Shell-quote a command line so it can be pasted into a POSIX shell. */
export function formatCommand(exec: string, argv: readonly string[]): string {
  return [exec, ...argv].map(quote).join(' ')
}

function quote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}
