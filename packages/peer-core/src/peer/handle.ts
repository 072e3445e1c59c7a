// Peer side: the runtime's handle on `globalThis`, so that '@vitest-peer/core/peer' reaches the
// one runtime of this process whatever copy of the package a user module imports.

export const RUNTIME_KEY = Symbol.for('vitest-peer.runtime')

/** What the runtime exposes to code running in the peer. */
export interface RuntimeHandle {
  /** The peer's name. */
  readonly name: string
  /** Send a message to the origin (`'message'` event / `receive()` there). */
  send(message: unknown): void
  /** Register the handler of `peer.send(name, message)`; returns a function that unregisters it. */
  register(name: string, handler: (message: unknown) => unknown): () => void
  /** Add a hook run by a graceful stop; returns a function that removes it. */
  onShutdown(hook: () => unknown): () => void
  /** The control connection; `fail(error)` halts the peer as a failure of connection handling would. */
  readonly connection: { fail(error: Error): void }
}

export function getRuntime(): RuntimeHandle | undefined {
  return (globalThis as { [RUNTIME_KEY]?: RuntimeHandle })[RUNTIME_KEY]
}
