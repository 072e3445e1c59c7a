// Origin side: the public API of @vitest-peer/core (README.md, API). Code that runs inside a peer imports
// '@vitest-peer/core/peer' instead.
export { BOOT_TIMEOUT_MS, CALL_TIMEOUT_MS, HALT_TIMEOUT_MS, OUTPUT_TAIL_LINES } from './constants.js'
export {
  describeDown,
  PeerBootError,
  PeerCloneError,
  PeerDownError,
  PeerError,
  PeerOptionsError,
  PeerProtocolError,
  PeerTimeoutError,
  RemoteError,
} from './errors.js'
export { formatCommand } from './origin/command.js'
export { randomName } from './origin/names.js'
export { Peer } from './origin/peer.js'
export { ProxyListenError, ProxyOptionsError } from './origin/proxy/errors.js'
export { startProxy } from './origin/proxy/proxy.js'
export type { NetworkProxy, NetworkProxyOptions, NetworkProxyStats } from './origin/proxy/types.js'
export { renamePeer } from './origin/rename.js'
export { startPeer } from './origin/start.js'
export type * from './origin/types.js'
