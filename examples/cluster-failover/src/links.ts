// Runs inside a KV node (a peer): its TCP links to the other nodes. A node listens for the others'
// connections and dials each of them at the address it is given (in the tests, a proxy the test
// controls), one connection per direction. Messages are JSON, one per line. A message to a node
// that is not connected is dropped, as the network would: the protocol resends what matters.
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Message } from './messages.js'

/** How long a node waits before it dials a lost (or refused) connection again. */
const REDIAL_MS = 50

export class Links {
  private readonly server: Server
  private readonly outgoing = new Map<number, Socket>()
  private readonly connected = new Set<number>()
  private readonly incoming = new Set<Socket>()
  private closed = false

  constructor(private readonly deliver: (message: Message) => void) {
    this.server = createServer((socket) => {
      this.incoming.add(socket)
      socket.on('close', () => this.incoming.delete(socket))
      this.read(socket)
    })
  }

  /** Listen on `port` (0: any free port); resolves with the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : port)
      })
    })
  }

  /** Dial node `id` at `port`, and again whenever the connection is lost. */
  dial(id: number, port: number): void {
    if (this.closed) return
    const socket = connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    this.outgoing.set(id, socket)
    socket.on('connect', () => this.connected.add(id))
    socket.on('error', () => {})
    socket.on('close', () => {
      this.connected.delete(id)
      if (this.outgoing.get(id) === socket) setTimeout(() => this.dial(id, port), REDIAL_MS)
    })
    // What the other side sends back on this connection is not used: it answers on its own.
    socket.resume()
  }

  /** Send `message` to node `to`; false (dropped) when that link is down. */
  send(to: number, message: Message): boolean {
    if (!this.connected.has(to)) return false
    this.outgoing.get(to)!.write(`${JSON.stringify(message)}\n`)
    return true
  }

  /** Close every link and stop listening. */
  close(): void {
    this.closed = true
    for (const socket of [...this.outgoing.values(), ...this.incoming]) socket.destroy()
    this.outgoing.clear()
    this.server.close()
  }

  private read(socket: Socket): void {
    let buffered = ''
    socket.setEncoding('utf8')
    socket.on('error', () => {})
    socket.on('data', (chunk: string) => {
      buffered += chunk
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 1)
        this.deliver(JSON.parse(line) as Message)
      }
    })
  }
}
