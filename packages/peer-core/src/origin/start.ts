// Origin side: `startPeer` (OTP's `peer:start_link/1`).
import { PeerBootError, PeerOptionsError } from '../errors.js'
import { atSite, callSite } from './call-site.js'
import { prepareConnection } from './connection/index.js'
import { holdName, nameHolder } from './names.js'
import { resolveOptions } from './options.js'
import { type Peer, spawnPeer } from './peer.js'
import type { PeerOptions } from './types.js'

/**
 * Start a peer. Options are validated before anything is spawned. With `waitBoot` a number (the
 * default), resolves once the peer runs; with `false`, resolves at once in state `booting`.
 */
export function startPeer<M = unknown>(options: PeerOptions = {}): Promise<Peer<M>> {
  const site = callSite(startPeer)
  return start(options).then(
    (peer) => peer as Peer<M>,
    (error: Error) => {
      throw atSite(error, site)
    },
  )
}

async function start(options: PeerOptions, spawned?: (peer: Peer) => void): Promise<Peer> {
  const resolved = resolveOptions(options)
  if (resolved.signal?.aborted) {
    throw new PeerBootError(`start of peer ${resolved.name} was aborted before it was spawned`, {
      peer: resolved.name,
      cause: resolved.signal.reason,
    })
  }
  const holder = nameHolder(resolved.name)
  if (holder !== undefined) {
    throw new PeerOptionsError('name', resolved.name, `a name no live peer of this origin holds (${holder} holds it)`)
  }
  // Held from here, so that a second start with this name is refused while this one prepares.
  let peer: Peer | undefined
  const release = holdName(resolved.name, () =>
    peer === undefined
      ? `peer ${resolved.name} (starting)`
      : `peer ${peer.name} (pid ${peer.pid}, ${describeState(peer)})`,
  )
  let connection: Awaited<ReturnType<typeof prepareConnection>>
  try {
    connection = await prepareConnection(resolved)
  } catch (error) {
    release()
    throw error
  }
  try {
    peer = spawnPeer(resolved, connection, start)
  } catch (error) {
    release()
    connection.dispose()
    throw error
  }
  // A peer that is down frees its name.
  void peer.exited.then(release)
  spawned?.(peer)
  if (resolved.waitBoot !== false) await peer.booted
  return peer
}

function describeState(peer: Peer): string {
  return typeof peer.state === 'string' ? peer.state : 'going down'
}
