// Origin side: choose the transport module for a `connection` option.
import type { ResolvedOptions } from '../options.js'
import { ipcTransport } from './ipc.js'
import { stdioTransport } from './stdio.js'
import { tcpTransport } from './tcp.js'
import type { OriginTransport } from './types.js'
import { udsTransport } from './uds.js'

export async function createTransport(options: ResolvedOptions): Promise<OriginTransport> {
  const { connection } = options
  if (connection === 'ipc') return ipcTransport()
  if (connection === 'stdio') return stdioTransport(options.wrapped)
  if ('tcp' in connection) return tcpTransport(options, connection.tcp)
  return udsTransport(options, connection.uds)
}
