// Runs inside the server peer: answers each JSON line `{ "hello": <client's Node version> }` with
// `{ "server": <its Node version>, "client": <the client's> }`.
import { type AddressInfo, createServer } from 'node:net'
import { createInterface } from 'node:readline'

/** Listen on 127.0.0.1 (`0`: any free port); resolves with the port. */
export async function listen(port: number): Promise<number> {
  const server = createServer((socket) => {
    createInterface({ input: socket }).on('line', (line) => {
      const { hello } = JSON.parse(line) as { hello: string }
      socket.write(`${JSON.stringify({ server: process.version, client: hello })}\n`)
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}
