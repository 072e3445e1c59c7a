// The partition recipe (README.md, "Recipe: partition a peer"): a TCP server that answers every
// `ping` with `pong`, on a free port.
import { createServer } from 'node:net'

export function listen() {
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.on('data', () => socket.write('pong\n'))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)))
}
