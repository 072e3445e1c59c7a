// Recipe "Migrating from child_process.fork or execa" (docs/recipes.md): a module that used to be
// a forked script. Its functions are called with `peer.call`; `listen` keeps the message style.
import { origin, register } from '@vitest-peer/core/peer'

export function double(n: number): number {
  return n * 2
}

/** What `process.on('message', …)` with `process.send` did in the forked script. */
export function listen(): void {
  register('numbers', (n) => origin.send(double(n as number)))
}
