// Origin side: validation of `startProxy` options and of `delay()`'s argument, before anything
// listens or changes.
import { ProxyOptionsError } from './errors.js'
import type { NetworkProxyOptions } from './types.js'

/** Where the proxy listens, and where it forwards to, with every default filled in. */
export interface ResolvedProxyOptions {
  host: string
  port: number
  target: { host: string; port: number }
}

/** Where a proxy listens and dials by default: loopback, so nothing off this host can reach it. */
const LOOPBACK = '127.0.0.1'
const KNOWN = new Set(['target', 'host', 'port'])
const KNOWN_TARGET = new Set(['host', 'port'])

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isPort = (v: unknown, min: number): v is number =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= 65535

/** Validate `options` and fill in defaults; throws `ProxyOptionsError` naming the first bad option. */
export function resolveProxyOptions(given: NetworkProxyOptions): ResolvedProxyOptions {
  // Checked as what it may be at run time: JavaScript callers pass anything.
  const options: unknown = given
  if (!isObject(options)) throw new ProxyOptionsError('options', options, 'an object with a `target`')
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ProxyOptionsError(key, options[key], 'one of target, host, port')
  }
  const { target, host = LOOPBACK, port = 0 } = options
  if (!isObject(target)) throw new ProxyOptionsError('target', target, '{ host?: string; port: number }')
  for (const key of Object.keys(target)) {
    if (!KNOWN_TARGET.has(key)) throw new ProxyOptionsError(`target.${key}`, target[key], 'one of host, port')
  }
  const targetHost = target.host ?? LOOPBACK
  if (typeof targetHost !== 'string' || targetHost === '') {
    throw new ProxyOptionsError('target.host', targetHost, 'a non-empty host name or IP address')
  }
  if (!isPort(target.port, 1))
    throw new ProxyOptionsError('target.port', target.port, 'an integer port from 1 to 65535')
  if (typeof host !== 'string' || host === '') {
    throw new ProxyOptionsError('host', host, 'a non-empty host name or IP address')
  }
  if (!isPort(port, 0)) throw new ProxyOptionsError('port', port, 'an integer port from 0 (any free port) to 65535')
  return { host, port, target: { host: targetHost, port: target.port } }
}

/** Validate the argument of `delay(ms)`. */
export function checkDelay(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new ProxyOptionsError('delay(ms)', ms, 'a finite number of milliseconds, 0 or more')
  }
  return ms
}
