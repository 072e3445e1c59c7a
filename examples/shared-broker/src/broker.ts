// Runs inside the broker peer: a small publish/subscribe broker over TCP, one JSON object per line.
// A client sends `{ "sub": topic }` or `{ "pub": topic, "text": ... }` and gets one reply line for
// each; a subscriber also gets `{ "topic": ..., "text": ... }` lines for what others publish.
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { createInterface } from 'node:readline'

type Command = { sub: string } | { pub: string; text: string }

const subscribers = new Map<string, Set<Socket>>()
let server: Server | undefined

/** Start listening on 127.0.0.1 (`0`: any free port); resolves with the port. Once per process. */
export async function listen(port: number): Promise<number> {
  if (server) throw new Error('the broker is already listening')
  const listening = createServer(serve)
  server = listening
  await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve))
  return (listening.address() as AddressInfo).port
}

function serve(socket: Socket): void {
  socket.on('error', () => {}) // a client peer stopped by its test: its connection resets
  socket.on('close', () => {
    for (const set of subscribers.values()) set.delete(socket)
  })
  createInterface({ input: socket }).on('line', (line) => {
    socket.write(`${JSON.stringify(handle(socket, JSON.parse(line) as Command))}\n`)
  })
}

function handle(socket: Socket, command: Command): object {
  if ('sub' in command) {
    const set = subscribers.get(command.sub) ?? new Set()
    subscribers.set(command.sub, set.add(socket))
    return { subscribed: command.sub }
  }
  const targets = subscribers.get(command.pub) ?? new Set()
  for (const target of targets) target.write(`${JSON.stringify({ topic: command.pub, text: command.text })}\n`)
  return { delivered: targets.size }
}
