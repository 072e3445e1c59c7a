// Origin side: the typed errors of `startProxy`. Each has a stable `code`; both extend `PeerError`
// so one `instanceof PeerError` catches every error of the engine.
import { inspect } from 'node:util'
import { PeerError } from '../../errors.js'

/** An invalid option of `startProxy`, or an invalid argument of a proxy's `delay()`; nothing was changed. */
export class ProxyOptionsError extends PeerError {
  readonly code = 'ERR_PEER_PROXY_OPTIONS'
  /** The option's name, e.g. `'target.port'`, or `'delay(ms)'`. */
  readonly option: string
  /** The value that was refused. */
  readonly value: unknown
  constructor(option: string, value: unknown, expected: string) {
    super(`invalid proxy option \`${option}\`: ${describeValue(value)}; expected ${expected}`)
    this.option = option
    this.value = value
  }
}

/** `startProxy` could not listen where it was asked to (the address is in use, not local, …). */
export class ProxyListenError extends PeerError {
  readonly code = 'ERR_PEER_PROXY_LISTEN'
  /** The host the proxy tried to listen on. */
  readonly host: string
  /** The port it tried to listen on (`0`: any free port). */
  readonly port: number
  constructor(host: string, port: number, target: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === 'EADDRINUSE' ? 'the address is in use' : cause.message
    super(`could not listen on tcp ${formatAddress(host, port)} for a proxy to ${target}: ${why}`, { cause })
    this.host = host
    this.port = port
  }
}

/** `127.0.0.1:80`, `[::1]:80`. */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  return inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY })
}
