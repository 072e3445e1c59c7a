// Peer side (test:reliability): a peer that runs out of file descriptors (under `ulimit -n`).
import { closeSync, openSync } from 'node:fs'

const held = []

/** Opens /dev/null until the process has no descriptor left; keeps them; returns how many. */
export function exhaust() {
  for (;;) {
    try {
      held.push(openSync('/dev/null', 'r'))
    } catch (error) {
      if (error.code === 'EMFILE') return held.length
      throw error
    }
  }
}

/** Opens one more file: throws EMFILE while the descriptors are exhausted. */
export function openOne() {
  const fd = openSync('/dev/null', 'r')
  closeSync(fd)
  return 'opened'
}

/** Imports a module file not loaded before (a new query string): needs a descriptor to read it. */
export async function importFresh() {
  await import(`${import.meta.url}?fresh=${Date.now()}-${Math.random()}`)
  return 'imported'
}

/** Closes what `exhaust` holds. */
export function release() {
  for (const fd of held.splice(0)) closeSync(fd)
  return 'released'
}
