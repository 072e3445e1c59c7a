// Origin side: choose the transport module for a `connection` option.
import { PeerOptionsError } from '../../errors.js'
import type { ResolvedOptions } from '../options.js'
import { ipcTransport } from './ipc.js'
import { stdioTransport } from './stdio.js'
import type { OriginTransport } from './types.js'

export async function createTransport(options: ResolvedOptions): Promise<OriginTransport> {
  const { connection } = options
  if (connection === 'ipc') return ipcTransport()
  if (connection === 'stdio') return stdioTransport()
  throw new PeerOptionsError('connection', connection, "'ipc' or 'stdio' (TCP and Unix sockets are not supported yet)")
}
