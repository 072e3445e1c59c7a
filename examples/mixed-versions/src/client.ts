// Runs inside the client peer: one request to the server, over TCP.
import { connect } from 'node:net'
import { createInterface } from 'node:readline'

/** Says hello with this Node's version; resolves with the server's answer. */
export async function hello(port: number): Promise<{ server: string; client: string }> {
  const socket = connect(port, '127.0.0.1')
  const [line] = await Promise.all([
    new Promise<string>((resolve, reject) => {
      createInterface({ input: socket }).once('line', resolve)
      socket.once('error', reject)
    }),
    socket.write(`${JSON.stringify({ hello: process.version })}\n`),
  ])
  socket.end()
  return JSON.parse(line)
}
