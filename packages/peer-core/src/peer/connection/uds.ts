// Peer side: the Unix-socket control connection. The origin passed the socket path as a runtime
// flag; the peer connects to it and authenticates (socket.ts).
import { net } from '../../protocol/builtins.js'
import { RUNTIME_FLAGS, type RuntimeFlags } from '../../protocol/flags.js'
import { connectSocket } from './socket.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

export function connectUds(name: string, flags: RuntimeFlags, events: PeerChannelEvents): PeerChannel {
  const path = flags.origin
  if (!path) throw new Error(`connection 'uds' needs ${RUNTIME_FLAGS.origin} <socket path>`)
  return connectSocket(name, [{ label: path, open: () => net().connect(path) }], flags, events)
}
