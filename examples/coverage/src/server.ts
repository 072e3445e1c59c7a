// A key-value server over TCP (the protocol is in commands.ts). It knows nothing of tests: a test
// starts it inside a peer with `listen`, talks to it as a client would, and stops it with `close`.
import type { AddressInfo } from 'node:net'
import { createServer, type Server, type Socket } from 'node:net'
import { createInterface } from 'node:readline'
import { parse } from './commands.js'
import { Store } from './store.js'

let server: Server | undefined

/** Listen on 127.0.0.1:`port` (0: any free port); resolves with the port. */
export async function listen(port: number): Promise<number> {
  const store = new Store()
  const listening = createServer((socket) => serve(socket, store))
  await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve))
  server = listening
  return (listening.address() as AddressInfo).port
}

/** Stop accepting connections; resolves once the open ones have ended. */
export function close(): Promise<void> {
  const closing = server
  server = undefined
  return new Promise((resolve) => (closing ? closing.close(() => resolve()) : resolve()))
}

function serve(socket: Socket, store: Store): void {
  createInterface({ input: socket }).on('line', (line) => {
    const command = parse(line)
    socket.write(`${'error' in command ? `ERR ${command.error}` : store.run(command)}\n`)
  })
}
