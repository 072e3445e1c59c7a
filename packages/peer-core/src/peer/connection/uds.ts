// Peer side: the Unix-socket control connection. The origin passed the socket path as a runtime
// flag; the peer connects to it and authenticates (socket.ts).
import { connect } from 'node:net'
import { connectSocket, type Flag } from './socket.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

export function connectUds(name: string, flag: Flag, events: PeerChannelEvents): PeerChannel {
  const path = flag('--vitest-peer-origin')
  if (!path) throw new Error("connection 'uds' needs --vitest-peer-origin <socket path>")
  return connectSocket(name, [{ label: path, open: () => connect(path) }], flag, events)
}
