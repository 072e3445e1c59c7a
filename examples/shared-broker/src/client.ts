// Runs inside each client peer: a connection to the broker. Replies resolve the calls that sent
// the commands; what the broker delivers goes to the test with `origin.send` (`peer.receive()`).
import { connect, type Socket } from 'node:net'
import { createInterface } from 'node:readline'
import { origin } from '@vitest-peer/core/peer'

let socket: Socket
const replies: ((reply: any) => void)[] = []

export async function connectTo(port: number): Promise<void> {
  socket = connect(port, '127.0.0.1')
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  createInterface({ input: socket }).on('line', (line) => {
    const message = JSON.parse(line)
    if ('topic' in message) origin.send(message)
    else replies.shift()?.(message)
  })
}

function request(command: object): Promise<any> {
  return new Promise((resolve) => {
    replies.push(resolve)
    socket.write(`${JSON.stringify(command)}\n`)
  })
}

/** Resolves once the broker has registered the subscription. */
export async function subscribe(topic: string): Promise<void> {
  await request({ sub: topic })
}

/** Resolves with the number of subscribers the broker delivered the message to. */
export async function publish(topic: string, text: string): Promise<number> {
  return (await request({ pub: topic, text })).delivered
}
