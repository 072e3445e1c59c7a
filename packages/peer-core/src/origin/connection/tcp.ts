// Origin side: the TCP control connection (`{ tcp: port | { host, port } }`, OTP's
// `connection => Port | {Ip, Port}`). The origin listens on loopback unless a host is given
// (port 0 picks a free port) and the peer connects back, trying every candidate address with
// backoff; the connection is authenticated before use (socket.ts).
import { createServer, type Server } from 'node:net'
import { networkInterfaces } from 'node:os'
import { PeerBootError } from '../../errors.js'
import { RUNTIME_FLAGS } from '../../protocol/flags.js'
import type { ResolvedOptions } from '../options.js'
import { socketConnection } from './socket.js'
import type { OriginConnection } from './types.js'

/** Where `{ tcp: port }` listens: loopback only, so nothing off this host can even try. */
const LOOPBACK = '127.0.0.1'

export async function tcpConnection(
  options: ResolvedOptions,
  spec: number | { host: string; port: number },
): Promise<OriginConnection> {
  const host = typeof spec === 'number' ? LOOPBACK : spec.host
  const port = typeof spec === 'number' ? spec : spec.port
  const server = createServer({ pauseOnConnect: true })
  await listen(server, host, port, options.name)
  const bound = server.address()
  if (bound === null || typeof bound === 'string') {
    server.close()
    throw new PeerBootError(`the TCP listener for peer ${options.name} on ${host}:${port} has no address`, {
      peer: options.name,
    })
  }
  const candidates = candidateAddresses(bound.address)
  return socketConnection(options, {
    server,
    address: `tcp ${formatHost(bound.address)}:${bound.port}`,
    flags: [
      RUNTIME_FLAGS.connection,
      'tcp',
      RUNTIME_FLAGS.origin,
      candidates.join(','),
      RUNTIME_FLAGS.port,
      String(bound.port),
    ],
  })
}

function listen(server: Server, host: string, port: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the address is in use' : error.message
      reject(
        new PeerBootError(`could not listen on tcp ${host}:${port} for peer ${name}: ${why}`, {
          peer: name,
          cause: error,
        }),
      )
    })
    server.listen({ host, port, exclusive: true }, () => resolve())
  })
}

/**
 * The addresses the peer tries, in order. A wildcard listener (0.0.0.0, ::) is reachable on every
 * interface: loopback first, then the others (OTP's `prefer_localhost`). Otherwise only the
 * address actually bound (a host name was resolved by `listen`).
 */
function candidateAddresses(bound: string): string[] {
  if (bound !== '0.0.0.0' && bound !== '::') return [bound]
  const loopback = bound === '::' ? ['127.0.0.1', '::1'] : ['127.0.0.1']
  const others: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      if (entry.internal) continue
      if (bound === '0.0.0.0' && entry.family !== 'IPv4') continue
      // Link-local IPv6 needs a scope id the peer cannot guess on another host.
      if (entry.family === 'IPv6' && entry.address.startsWith('fe80:')) continue
      others.push(entry.address)
    }
  }
  return [...loopback, ...others]
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}
