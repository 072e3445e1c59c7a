// Origin side: choose the connection module for a `connection` option.
import type { ResolvedOptions } from '../options.js'
import { ipcConnection } from './ipc.js'
import { stdioConnection } from './stdio.js'
import { tcpConnection } from './tcp.js'
import type { OriginConnection } from './types.js'
import { udsConnection } from './uds.js'

export async function prepareConnection(options: ResolvedOptions): Promise<OriginConnection> {
  const { connection } = options
  if (connection === 'ipc') return ipcConnection()
  if (connection === 'stdio') return stdioConnection(options.wrapped)
  if ('tcp' in connection) return tcpConnection(options, connection.tcp)
  return udsConnection(options, connection.uds)
}
