// Peer side: the TCP control connection. The origin passed its candidate addresses (loopback
// first) and port as runtime flags; the peer tries them in order (OTP's peer `loop_connect`) and
// authenticates (socket.ts).
import { connect } from 'node:net'
import { connectSocket, type Flag } from './socket.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

export function connectTcp(name: string, flag: Flag, events: PeerChannelEvents): PeerChannel {
  const hosts = flag('--vitest-peer-origin')
  const port = Number(flag('--vitest-peer-port'))
  if (!hosts || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error("connection 'tcp' needs --vitest-peer-origin <addresses> and --vitest-peer-port <port>")
  }
  const targets = hosts.split(',').map((host) => ({
    label: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    open: () => connect({ host, port, noDelay: true }),
  }))
  return connectSocket(name, targets, flag, events)
}
