// Both sides: the peer runtime's command line. The origin writes these flags after the runtime's
// entry (origin/command.ts); the peer reads them once at start (peer/runtime.ts).

/** Command-line flags of the peer runtime. */
export const RUNTIME_FLAGS = {
  /** The peer's name. */
  name: '--vitest-peer-name',
  /** `ipc`, `stdio`, `tcp` or `uds`. */
  connection: '--vitest-peer-connection',
  /** The peer watches its parent from a thread (when setpriv is not used); takes no value. */
  watchdog: '--vitest-peer-watchdog',
  /** TCP: the origin's candidate addresses, comma-separated; Unix socket: the socket path. */
  origin: '--vitest-peer-origin',
  /** TCP: the origin's port. */
  port: '--vitest-peer-port',
  /** TCP and Unix socket: how long (ms) the peer keeps trying to connect back. */
  connectTimeout: '--vitest-peer-connect-timeout',
} as const

/** The runtime flags as the peer reads them; absent ones are `undefined`. */
export interface RuntimeFlags {
  name: string | undefined
  connection: string | undefined
  watchdog: boolean
  origin: string | undefined
  port: string | undefined
  connectTimeout: string | undefined
}

/** Read the runtime flags from an argument vector (`process.argv`). */
export function readRuntimeFlags(argv: readonly string[]): RuntimeFlags {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag)
    return index === -1 ? undefined : argv[index + 1]
  }
  return {
    name: value(RUNTIME_FLAGS.name),
    connection: value(RUNTIME_FLAGS.connection),
    watchdog: argv.includes(RUNTIME_FLAGS.watchdog),
    origin: value(RUNTIME_FLAGS.origin),
    port: value(RUNTIME_FLAGS.port),
    connectTimeout: value(RUNTIME_FLAGS.connectTimeout),
  }
}
