// Origin side: `startPeer` (OTP's `peer:start_link/1`).
import { PeerBootError } from '../errors.js'
import { prepareConnection } from './connection/index.js'
import { resolveOptions } from './options.js'
import { type Peer, spawnPeer } from './peer.js'
import type { PeerOptions } from './types.js'

/**
 * Start a peer. Options are validated before anything is spawned. With `waitBoot` a number (the
 * default), resolves once the peer runs; with `false`, resolves at once in state `booting`.
 */
export async function startPeer(options: PeerOptions = {}): Promise<Peer> {
  const resolved = resolveOptions(options)
  if (resolved.signal?.aborted) {
    throw new PeerBootError(`start of peer ${resolved.name} was aborted before it was spawned`, {
      peer: resolved.name,
      cause: resolved.signal.reason,
    })
  }
  const connection = await prepareConnection(resolved)
  let peer: Peer
  try {
    peer = spawnPeer(resolved, connection)
  } catch (error) {
    connection.dispose()
    throw error
  }
  if (resolved.waitBoot !== false) await peer.booted
  return peer
}
