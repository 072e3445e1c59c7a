// Peer side: the TCP control connection. The origin passed its candidate addresses (loopback
// first) and port as runtime flags; the peer tries them in order (OTP's peer `loop_connect`) and
// authenticates (socket.ts).
import { net } from '../../protocol/builtins.js'
import { RUNTIME_FLAGS, type RuntimeFlags } from '../../protocol/flags.js'
import { connectSocket } from './socket.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

export function connectTcp(name: string, flags: RuntimeFlags, events: PeerChannelEvents): PeerChannel {
  const hosts = flags.origin
  const port = Number(flags.port)
  if (!hosts || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`connection 'tcp' needs ${RUNTIME_FLAGS.origin} <addresses> and ${RUNTIME_FLAGS.port} <port>`)
  }
  const targets = hosts.split(',').map((host) => ({
    label: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    open: () => net().connect({ host, port, noDelay: true }),
  }))
  return connectSocket(name, targets, flags, events)
}
