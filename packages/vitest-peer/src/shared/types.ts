// Both sides: vitest-peer's options, the registry records, and the machine-readable failure
// report (`task.meta`).
import type { DownReason, PeerOptions } from '@vitest-peer/core'

/** How a peer gets TypeScript support (see the README, "TypeScript in peers"). */
export type TypeScriptMode = 'auto' | 'preload' | false

/** vitest-peer's own options, on top of the engine's `PeerOptions`. */
export interface VitestPeerExtraOptions {
  /** Also echo the peer's output live to the worker's stderr, each line prefixed with its name. Default false. */
  echo?: boolean
  /**
   * TypeScript in the peer: `'auto'` (default) installs a type-stripping loader before the first
   * TypeScript module that `call`, `cast`, `module()` or `import()` inside `evaluate` requests;
   * `'preload'` installs it at start (for peers that reach TypeScript by other routes, e.g. from a
   * `.js` module); `false` never (Node's own type stripping, where it has one, still applies).
   */
  typescript?: TypeScriptMode
}

/**
 * Options of `startPeer`, `usePeer` and `peerOptions`: the engine's, plus vitest-peer's own. The
 * engine's `moduleResolver` is vitest-peer's to set: it makes the peer find modules as the test does.
 */
export type VitestPeerOptions = Omit<PeerOptions, 'moduleResolver'> & VitestPeerExtraOptions

/** The part of the options that can cross from the config to the workers (no functions, no signals). */
export type SerializablePeerOptions = Omit<VitestPeerOptions, 'postProcessArgs' | 'signal'>

/** One registry record: a live peer, written by the worker, removed once the peer is reaped. */
export interface RegistryRecord {
  pid: number
  /** Field 22 of /proc/<pid>/stat when it was started: tells the peer from a later process with its pid. */
  startTime: string | null
  /** /proc/<pid>/cmdline with NULs as spaces, compared again before any kill (pids are reused). */
  cmdline: string | null
  name: string
  /** The worker (origin) pid. */
  worker: number
  /** Vitest task id of the owning test, and its file and full name for leak reports. */
  testId: string
  file: string
  test: string
}

/** A peer as shown in a test's failure report; also `task.meta.vitestPeer.peers[i]`. */
export interface PeerReport {
  name: string
  pid: number
  /** Copy-pasteable command line (shell-quoted). */
  command: string
  cwd: string
  /** The added environment, secret-looking values replaced by `<redacted>`. */
  env: Record<string, string | null>
  /** Its state when the test ended, before vitest-peer stopped it: `'booting'`, `'running'` or `'down'`. */
  state: 'booting' | 'running' | 'down'
  /** Why it is down now (after teardown): `stopped`, `exited`, `crashed`, `boot-failed`; null if still alive. */
  cause: DownReason['cause'] | null
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** The last lines of its output (stdout and stderr in arrival order). */
  output: string[]
  /** Node diagnostic reports the peer wrote (fatal error, uncaught exception). */
  crashReports: string[]
}
