// Origin side: the typed errors of `startProxy`. Each has a stable `code`; both extend `PeerError`
// so one `instanceof PeerError` catches every error of the engine.
import { OptionError, PeerError } from '../../errors.js'

/**
 * An invalid option of `startProxy` (`option` e.g. `'target.port'`), or an invalid argument of a
 * proxy's `delay()` (`'delay(ms)'`); nothing was changed.
 */
export class ProxyOptionsError extends OptionError {
  readonly code = 'ERR_PEER_PROXY_OPTIONS'
  constructor(option: string, value: unknown, expected: string) {
    super('proxy', option, value, expected)
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
