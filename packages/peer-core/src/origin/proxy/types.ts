// Origin side: the public types of `startProxy`, a TCP proxy between peers that injects network
// faults.

/** Options of `startProxy`. */
export interface NetworkProxyOptions {
  /** Where every accepted connection is forwarded; `host` defaults to `'127.0.0.1'`. */
  target: { host?: string; port: number }
  /** Host the proxy listens on; default `'127.0.0.1'` (loopback only). */
  host?: string
  /** Port the proxy listens on; default `0`, a free port (read it from `proxy.port`). */
  port?: number
}

/** What a proxy has carried since it started; `proxy.stats` is a fresh snapshot at each read. */
export interface NetworkProxyStats {
  /** Connections accepted from clients, whatever the fault (those a cut resets at once count too). */
  connections: number
  /** Connections open now (held by a blackhole included). */
  open: number
  /**
   * Bytes the proxy read from clients (client → target), counted as they are read, whatever
   * became of them: forwarded at once, delayed, or discarded.
   */
  bytesUp: number
  /** Bytes the proxy read from the target (target → client), counted the same way. */
  bytesDown: number
  /** Of `bytesUp` and `bytesDown`, the bytes a blackhole read and threw away. */
  bytesDiscarded: number
}

/**
 * A TCP proxy the origin controls, from `startProxy`. Peers dial `port` instead of the target;
 * each fault method takes effect at once on open connections and on new ones, and replaces the
 * fault before it.
 */
export interface NetworkProxy {
  /** The host the proxy listens on. */
  readonly host: string
  /** The port the proxy listens on. */
  readonly port: number
  /** Where connections are forwarded. */
  readonly target: { readonly host: string; readonly port: number }
  /** Counters since the proxy started (a copy). */
  readonly stats: NetworkProxyStats
  /** Partition: resets every open connection (RST both ways); new ones are accepted and reset at once. */
  cut(): void
  /** Accept and hold: bytes are read and discarded, ends and resets are held until the fault changes. */
  blackhole(): void
  /** Adds `ms` of latency to every chunk read from now on, in each direction, in order; `delay(0)` is `heal()`. */
  delay(ms: number): void
  /** Back to normal forwarding. */
  heal(): void
  /** Stops listening and resets every connection; resolves once the port is free. Idempotent. */
  close(): Promise<void>
  /** `await using proxy = await startProxy(…)`: the same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>
}
