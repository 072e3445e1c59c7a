// Origin side: `renamePeer`, the hook that lets a pool of spare peers hand a booted peer to a
// user under the user's name. The origin's `peer.name` and the name the peer's runtime holds
// (`peerName` in '@vitest-peer/core/peer') change together; the command line it was started with
// does not. `peerName` is read when a module first imports '@vitest-peer/core/peer', so a peer must
// be renamed before it runs code that imports it: a spare that has run none is the use.
import { PeerOptionsError } from '../errors.js'
import { RUNTIME_KEY } from '../peer/handle.js'
import { holdName, NAME_MAX_LENGTH, NAME_PATTERN, nameHolder } from './names.js'
import { assignName, type Peer } from './peer.js'

/**
 * Rename a running peer. `peer.name` changes at once, and the peer's `peerName` before it handles
 * anything sent to it later (the control connection keeps order). Resolves once the peer has
 * taken the name; if it cannot (it is down), `peer.name` goes back and the promise rejects.
 */
export async function renamePeer(peer: Peer, name: string): Promise<void> {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > NAME_MAX_LENGTH) {
    throw new PeerOptionsError('name', name, `[A-Za-z0-9_-], at most ${NAME_MAX_LENGTH} characters`)
  }
  const holder = nameHolder(name)
  if (holder !== undefined) {
    throw new PeerOptionsError('name', name, `a name no live peer of this origin holds (${holder} holds it)`)
  }
  const release = holdName(name, () => `peer ${name} (pid ${peer.pid})`)
  const previous = peer.name
  const renamed = peer.evaluate(
    (key: string, next: string) => {
      ;(globalThis as Record<symbol, { name: string }>)[Symbol.for(key)]!.name = next
    },
    RUNTIME_KEY.description!,
    name,
  )
  assignName(peer, name)
  try {
    await renamed
  } catch (error) {
    if (peer.name === name) assignName(peer, previous)
    release()
    throw error
  }
  // The old name stays held until the peer is down, as any name a live peer had.
  void peer.exited.then(release)
}
