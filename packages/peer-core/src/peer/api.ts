// Peer side: '@vitest-peer/core/peer', the API for code running inside a peer.
import { getRuntime, type RuntimeHandle } from './handle.js'

function runtime(what: string): RuntimeHandle {
  const handle = getRuntime()
  if (handle === undefined) {
    throw new Error(`${what} works only inside a peer started with startPeer() from @vitest-peer/core`)
  }
  return handle
}

/** True when this process is a peer. */
export const isPeer: boolean = getRuntime() !== undefined

/** This peer's name, or `undefined` outside a peer. */
export const peerName: string | undefined = getRuntime()?.name

/** The origin, seen from the peer. */
export const origin = {
  /** Send `message` to the origin: it arrives as a `'message'` event and through `peer.receive()`. */
  send(message: unknown): void {
    runtime('origin.send()').send(message)
  },
}

/** Handle messages sent with `peer.send(name, message)`; messages sent before this are delivered now. */
export function register(name: string, handler: (message: unknown) => unknown): () => void {
  return runtime('register()').register(name, handler)
}

/** Run `hook` when the peer is stopped gracefully (`shutdown: ms`); hooks run last-registered first. */
export function onShutdown(hook: () => unknown): () => void {
  return runtime('onShutdown()').onShutdown(hook)
}
