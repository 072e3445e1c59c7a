// Origin side: the 'ipc' control connection, Node's IPC channel with advanced (structured-clone)
// serialisation: the analog of OTP's distribution connection, and the default.

import { RUNTIME_FLAGS } from '../../protocol/flags.js'
import { type PeerToOrigin, peerMessageProblem } from '../../protocol/messages.js'
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
        const wrong = peerMessageProblem(message)
        if (wrong === undefined) events.message(message as PeerToOrigin)
        else events.damage(`IPC message that is not a valid peer message (${wrong}); dropped`)
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
