// Peer side: the 'ipc' control connection (Node's IPC channel, advanced serialisation).
import { type OriginToPeer, originMessageProblem } from '../../protocol/messages.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

export function connectIpc(events: PeerChannelEvents): PeerChannel {
  const send = process.send?.bind(process)
  if (send === undefined) throw new Error("connection 'ipc' needs an IPC channel (the peer was not spawned with one)")
  process.on('message', (message: unknown) => {
    const wrong = originMessageProblem(message)
    if (wrong === undefined) events.message(message as OriginToPeer)
    else events.lost(`an IPC message that is not a valid origin message (${wrong})`)
  })
  process.once('disconnect', () => events.lost('IPC channel disconnected'))
  return {
    send(message) {
      send(message)
    },
    whenOpen(callback) {
      callback()
    },
    flush() {
      // IPC messages leave in order: once an empty output message is written, all before it are.
      if (!process.connected) return Promise.resolve()
      return new Promise((resolve) => send({ t: 'out', s: 1, d: '' }, undefined, undefined, () => resolve()))
    },
  }
}
