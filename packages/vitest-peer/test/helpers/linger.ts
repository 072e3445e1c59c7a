// Runs inside a peer (test/proxies.test.ts): connect to a TCP server, and say goodbye over that
// connection when the peer is stopped gracefully, from its `onShutdown` hook, waiting for the
// server's answer (or the end of the connection) before the peer may exit.
import { once } from 'node:events'
import { connect } from 'node:net'
import { onShutdown } from '@vitest-peer/core/peer'

export async function connectAndLinger(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await once(socket, 'connect')
  onShutdown(async () => {
    socket.write('goodbye')
    await Promise.race([once(socket, 'data'), once(socket, 'close')])
    socket.destroy()
  })
}
