// Origin side: peer names (OTP's `peer:random_name/1`).

let counter = 0

/** `${prefix}-${unique integer}-${origin pid}`: unique within this origin and across origins on one host. */
export function randomName(prefix = 'peer'): string {
  counter += 1
  return `${prefix}-${counter}-${process.pid}`
}

/** What a peer name may contain: it ends up in file names, socket paths and process listings. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
/** Longest accepted name: it ends up in socket paths and process listings. */
export const NAME_MAX_LENGTH = 200

/**
 * Names held by live peers of this origin (this thread), with who holds them. Process-wide by
 * nature, like a node name on an OTP host: kept on `globalThis`, so that two copies of this
 * module (a bundler may load it twice) still see one set.
 */
const LIVE = Symbol.for('vitest-peer.liveNames')
type LiveNames = Map<string, () => string>

function liveNames(): LiveNames {
  const holder = globalThis as { [LIVE]?: LiveNames }
  holder[LIVE] ??= new Map()
  return holder[LIVE]
}

/** Who holds `name` (`peer x (pid 123, running)`), or undefined when it is free. */
export function nameHolder(name: string): string | undefined {
  return liveNames().get(name)?.()
}

/** Hold `name` until `release()` is called; `describe` says who holds it. */
export function holdName(name: string, describe: () => string): () => void {
  const names = liveNames()
  names.set(name, describe)
  return () => {
    if (names.get(name) === describe) names.delete(name)
  }
}
