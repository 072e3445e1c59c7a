// Origin side: the 'ipc' control connection, Node's IPC channel with advanced (structured-clone)
// serialisation: the analog of OTP's distribution connection, and the default.

import { RUNTIME_FLAGS } from '../../protocol/flags.js'
import { isMessage, PEER_TO_ORIGIN_TYPES, type PeerToOrigin } from '../../protocol/messages.js'
import { RUNTIME_PATH } from '../command.js'
import type { OriginConnection } from './types.js'

export function ipcConnection(): OriginConnection {
  return {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    ownsStdout: false,
    entry: [RUNTIME_PATH],
    flags: [RUNTIME_FLAGS.connection, 'ipc'],
    spawnOptions: { serialization: 'advanced' },
    attach(child, events) {
      child.on('message', (message: unknown) => {
        if (isMessage<PeerToOrigin>(message, PEER_TO_ORIGIN_TYPES)) events.message(message)
        else events.damage('IPC message that is not a peer message; dropped')
      })
      child.once('disconnect', () => events.closed())
      return {
        send(message) {
          if (!child.connected) return
          child.send(message)
        },
        close() {
          if (child.connected) child.disconnect()
        },
      }
    },
    dispose() {},
  }
}
