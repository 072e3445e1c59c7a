// Recipe "A partition" (docs/recipes.md): a TCP server that answers every `ping` line with `pong`.
import { type AddressInfo, createServer } from 'node:net'

export function listen(): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.on('data', () => socket.write('pong\n'))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}
