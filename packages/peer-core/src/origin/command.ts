// Origin side: the program and argument vector that start a peer. `exec` and `argv` are what the
// user's options produce (what a user pastes to start the same peer by hand); the process is then
// spawned behind a short prefix that links it to this origin and makes it lead a process group of
// its own. That prefix is plumbing of the link, not part of them.
import { accessSync, constants } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PeerOptionsError } from '../errors.js'
import { RUNTIME_FLAGS } from '../protocol/flags.js'
import type { ResolvedOptions } from './options.js'

/** The peer runtime, built next to this module (dist/runtime.cjs). */
export const RUNTIME_PATH = fileURLToPath(new URL('./runtime.cjs', import.meta.url))

/** What is spawned: the program, its arguments, and whether it starts a session of its own (setsid). */
export interface SpawnCommand {
  exec: string
  argv: string[]
  setsid: boolean
}

/**
 * prctl(2)'s system call number where it is known, for the perl prefix below: x86-64
 * (https://github.com/torvalds/linux/blob/v6.6/arch/x86/entry/syscalls/syscall_64.tbl) and the
 * architectures on the generic table
 * (https://github.com/torvalds/linux/blob/v6.6/include/uapi/asm-generic/unistd.h).
 */
const PRCTL: Partial<Record<string, number>> = { x64: 157, arm64: 167, riscv64: 167, loong64: 167 }
/** prctl(2) option PR_SET_PDEATHSIG, and the signal it arms (SIGKILL). */
const PR_SET_PDEATHSIG = 1
const SIGKILL = 9

const found = new Map<string, string | null>()

/** The first of `candidates` that is executable, once per process. */
function findProgram(name: string, candidates: string[]): string | null {
  if (!found.has(name)) {
    let path: string | null = null
    for (const candidate of candidates) {
      try {
        accessSync(candidate, constants.X_OK)
        path = candidate
        break
      } catch {}
    }
    found.set(name, path)
  }
  return found.get(name) ?? null
}

/**
 * Whether the kernel should kill the peer when its origin dies (Linux, unless
 * VITEST_PEER_NO_PDEATHSIG is set). PR_SET_PDEATHSIG does that even while the peer's JavaScript
 * is stuck in a synchronous loop and cannot see its control connection close; it survives
 * execve(2) (prctl(2): https://man7.org/linux/man-pages/man2/prctl.2.html).
 */
function wantsDeathSignal(): boolean {
  return process.platform === 'linux' && process.env.VITEST_PEER_NO_PDEATHSIG === undefined
}

/** `setpriv` from util-linux, which can arm the parent-death signal for the program it runs. */
function setpriv(): string | null {
  return wantsDeathSignal() ? findProgram('setpriv', ['/usr/bin/setpriv', '/bin/setpriv']) : null
}

/**
 * `perl`, which can make the program it runs lead a process group without a new session:
 * Node's `spawn` offers only `detached` (setsid(2)), no setpgid(2).
 */
function perl(): string | null {
  return process.platform === 'win32' ? null : findProgram('perl', ['/usr/bin/perl', '/bin/perl'])
}

/**
 * How a peer is spawned: through `perl` (a group leader in the origin's session) unless
 * `detached` or perl is missing, in which case it gets a session of its own (`setsid`); `prctl`
 * when that perl script arms the parent-death signal itself, else `setpriv` where it does; and
 * whether the kernel kills the peer with its origin at all (else the runtime's watchdog thread
 * does, peer/watchdog.ts).
 */
function linkOf(detached: boolean) {
  const perlPath = detached ? null : perl()
  const prctl = perlPath !== null && wantsDeathSignal() ? PRCTL[process.arch] : undefined
  const setprivPath = prctl === undefined ? setpriv() : null
  return {
    perl: perlPath,
    prctl,
    setpriv: setprivPath,
    // Windows has no process groups: `detached` keeps its meaning there (a console of its own).
    setsid: detached || (perlPath === null && process.platform !== 'win32'),
    deathSignal: prctl !== undefined || setprivPath !== null,
  }
}

/** Build `[exec, argv]` for a peer: wrapper, Node flags, runtime, runtime flags; then `postProcessArgs`. */
export function buildCommand(
  options: ResolvedOptions,
  runtime: { entry: string[]; flags: string[] },
): [string, string[]] {
  // Without a parent-death signal, a local peer watches its parent from a thread instead
  // (peer/watchdog.ts); behind a wrapper its parent is not this process, so only the connection
  // links it.
  const watchdog = !linkOf(options.detached).deathSignal && !options.wrapped ? [RUNTIME_FLAGS.watchdog] : []
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

/**
 * What is spawned for `[exec, argv]`. With `detached: false`, where perl is found: `perl -e
 * <script> <origin pid> <exec> <argv…>`, a script that arms the parent-death signal with prctl(2)
 * (where its system call number is known, else it runs `setpriv --pdeathsig KILL --` next), checks
 * that its parent is still this origin, makes itself a process group leader (setpgid(0, 0)) and
 * execs the peer, which keeps its pid, group and death signal. Otherwise Node's `detached` makes
 * the peer lead a session (and so a group) of its own, behind `setpriv --pdeathsig KILL --`.
 */
export function linkedCommand(exec: string, argv: readonly string[], detached: boolean): SpawnCommand {
  const link = linkOf(detached)
  const setprivPrefix = link.setpriv === null ? [] : [link.setpriv, '--pdeathsig', 'KILL', '--']
  if (link.perl !== null) {
    const script = [
      'my$o=shift;',
      link.prctl === undefined
        ? ''
        : `syscall(${link.prctl},${PR_SET_PDEATHSIG},${SIGKILL})==0 or die"vitest-peer: prctl: $!\\n";getppid()==$o or exit 1;`,
      'setpgrp(0,0);exec{$ARGV[0]}@ARGV;print STDERR"vitest-peer: cannot run $ARGV[0]: $!\\n";exit 127',
    ].join('')
    return {
      exec: link.perl,
      argv: ['-e', script, String(process.pid), ...setprivPrefix, exec, ...argv],
      setsid: false,
    }
  }
  const [program = exec, ...rest] = [...setprivPrefix, exec, ...argv]
  return { exec: program, argv: rest, setsid: link.setsid }
}

/** Shell-quote a command line so it can be pasted into a POSIX shell. */
export function formatCommand(exec: string, argv: readonly string[]): string {
  return [exec, ...argv].map(quote).join(' ')
}

function quote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}
