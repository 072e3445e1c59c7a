// Origin side: the 'stdio' control connection. Frames go to the peer's stdin; the peer's stdout
// carries its frames multiplexed with raw console bytes (native writes, grandchildren). Works
// through any wrapper that forwards stdin/stdout (ssh, docker run -i).
import type { Readable, Writable } from 'node:stream'
import { RUNTIME_FLAGS } from '../../protocol/flags.js'
import { runtimeBlock, runtimeEntry } from './bootstrap.js'
import { peerMessageDecoder, sendMessage } from './framed.js'
import type { OriginConnection } from './types.js'

/** `wrapped`: the peer runs a bootstrap that reads the runtime from stdin first (bootstrap.ts). */
export function stdioConnection(wrapped: boolean): OriginConnection {
  return {
    stdio: ['pipe', 'pipe', 'pipe'],
    ownsStdout: true,
    entry: runtimeEntry(wrapped),
    flags: [RUNTIME_FLAGS.connection, 'stdio'],
    attach(child, events) {
      const stdin = child.stdin as Writable
      const stdout = child.stdout as Readable
      const decoder = peerMessageDecoder(events, true)
      stdout.on('data', (chunk: Buffer) => decoder.push(chunk))
      stdout.once('end', () => decoder.end())
      // EPIPE when the peer is gone: the exit handling reports that, not this stream.
      stdin.on('error', () => {})
      if (wrapped) stdin.write(runtimeBlock())
      let open = true
      const closed = () => {
        if (!open) return
        open = false
        events.closed()
      }
      stdin.once('close', closed)
      stdout.once('close', closed)
      return {
        send(message) {
          sendMessage(stdin, message, open && stdin.writable)
        },
        close() {
          stdin.end()
        },
      }
    },
    dispose() {},
  }
}
