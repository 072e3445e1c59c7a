// Origin side: peer names (SPEC 1.1, OTP's `peer:random_name/1`).

let counter = 0

/** `${prefix}-${unique integer}-${origin pid}`: unique within this origin and across origins on one host. */
export function randomName(prefix = 'peer'): string {
  counter += 1
  return `${prefix}-${counter}-${process.pid}`
}

/** What a peer name may contain (SPEC 1.2). */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
/** Longest accepted name: it ends up in socket paths and process listings. */
export const NAME_MAX_LENGTH = 200
