// Origin side: the program and argument vector that start a peer. `exec` and `argv` are what the
// user's options produce (what a user pastes to start the same peer by hand); the process is then
// spawned under `setpriv` where it can be, which is plumbing of the link and not part of them.
import { accessSync, constants } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PeerOptionsError } from '../errors.js'
import { RUNTIME_FLAGS } from '../protocol/flags.js'
import type { ResolvedOptions } from './options.js'

/** The peer runtime, built next to this module (dist/runtime.cjs). */
export const RUNTIME_PATH = fileURLToPath(new URL('./runtime.cjs', import.meta.url))

let setprivPath: string | null | undefined

/**
 * `setpriv` from util-linux, when this is Linux and it is installed. Running the peer under
 * `setpriv --pdeathsig KILL` makes the kernel kill it when the origin dies, even while the peer's
 * JavaScript is stuck in a synchronous loop and cannot see its control connection close (it is
 * gone ~2 ms after the origin; prctl(2) PR_SET_PDEATHSIG: https://man7.org/linux/man-pages/man2/prctl.2.html).
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
  return [options.exec, argv]
}

/** What is spawned for `[exec, argv]`: the same, under `setpriv --pdeathsig KILL` where there is one. */
export function linkedCommand(exec: string, argv: readonly string[]): [string, string[]] {
  const setpriv = findSetpriv()
  return setpriv === null ? [exec, [...argv]] : [setpriv, ['--pdeathsig', 'KILL', '--', exec, ...argv]]
}

/** Shell-quote a command line so it can be pasted into a POSIX shell. */
export function formatCommand(exec: string, argv: readonly string[]): string {
  return [exec, ...argv].map(quote).join(' ')
}

function quote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}
