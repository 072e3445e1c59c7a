// Peer side: the 'ipc' control connection (Node's IPC channel, advanced serialisation).
import { isMessage, ORIGIN_TO_PEER_TYPES, type OriginToPeer } from '../../protocol/messages.js'
import type { PeerChannel, PeerChannelEvents } from './types.js'

export function connectIpc(events: PeerChannelEvents): PeerChannel {
  const send = process.send?.bind(process)
  if (send === undefined) throw new Error("connection 'ipc' needs an IPC channel (the peer was not spawned with one)")
  process.on('message', (message: unknown) => {
    if (isMessage<OriginToPeer>(message, ORIGIN_TO_PEER_TYPES)) events.message(message)
    else events.lost('an IPC message that is not an origin message')
  })
  process.once('disconnect', () => events.lost('IPC channel disconnected'))
  let unsent = 0
  let drained: (() => void)[] = []
  const sent = () => {
    unsent -= 1
    if (unsent === 0) {
      for (const resolve of drained) resolve()
      drained = []
    }
  }
  return {
    send(message) {
      unsent += 1
      try {
        send(message, undefined, undefined, sent)
      } catch (error) {
        unsent -= 1
        throw error
      }
    },
    flush() {
      if (unsent === 0 || !process.connected) return Promise.resolve()
      return new Promise((resolve) => drained.push(resolve))
    },
  }
}
