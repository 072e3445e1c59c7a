// Both sides: the wire messages of the control connection, one discriminated union per direction.
// PROTOCOL.md (package root) documents them with the frame layout and the boot handshake.

/**
 * Version of the message set and handshakes; the peer announces it in `hello`, and the origin
 * refuses a peer runtime that speaks another one (a remote host or an old install).
 */
export const PROTOCOL_VERSION = 2

/**
 * `x: 1` marks a message whose value(s) contain encoded errors (see values.ts), so the receiver
 * walks the value to rebuild them only when there is something to rebuild.
 */
type Flagged = { x?: 1 }

/** Messages from the origin to the peer. */
export type OriginToPeer =
  /** Run `import(m)[f](...a)` and answer `ok`/`err` with the same `id`. */
  | ({ t: 'call'; id: number; m: string; f: string; a: unknown[] } & Flagged)
  /** Like `call`, with no answer. */
  | ({ t: 'cast'; m: string; f: string; a: unknown[] } & Flagged)
  /** Compile the function source `src`, call it with `a`, answer `ok`/`err` with `id`. */
  | ({ t: 'eval'; id: number; src: string; a: unknown[] } & Flagged)
  /** Deliver `v` to the handler registered under `to`. */
  | ({ t: 'send'; to: string; v: unknown } & Flagged)
  /** Stop: `graceful` runs the `onShutdown` hooks first; either way the peer flushes and exits 0. */
  | { t: 'stop'; graceful: boolean }
  /**
   * Sent once, right after `hello` and before any request: the module whose `resolve` export maps
   * every module specifier of `call`, `cast` and `import()` inside `eval` (`m`), with its data `d`.
   */
  | { t: 'init'; resolver: { m: string; d: unknown } }

/** Messages from the peer to the origin. */
export type PeerToOrigin =
  /** Boot handshake: the runtime is loaded and serving, speaking protocol version `v`. */
  | { t: 'hello'; v: number }
  /** A call or eval returned `v`. */
  | ({ t: 'ok'; id: number; v: unknown } & Flagged)
  /** A call or eval threw `v` (an encoded error, or any thrown value). */
  | ({ t: 'err'; id: number; v: unknown } & Flagged)
  /** `origin.send(v)` in the peer. */
  | ({ t: 'msg'; v: unknown } & Flagged)
  /** Console text written by the peer's JavaScript: `s` 1 = stdout, 2 = stderr; raw bytes or a string. */
  | { t: 'out'; s: 1 | 2; d: string | Uint8Array }

/** Message types each side accepts; anything else is a protocol error. */
export const ORIGIN_TO_PEER_TYPES: ReadonlySet<string> = new Set(['call', 'cast', 'eval', 'send', 'stop', 'init'])
export const PEER_TO_ORIGIN_TYPES: ReadonlySet<string> = new Set(['hello', 'ok', 'err', 'msg', 'out'])

/** True when `value` has the shape of a message of one of `types` (checked before dispatch). */
export function isMessage<M extends { t: string }>(value: unknown, types: ReadonlySet<string>): value is M {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { t?: unknown }).t === 'string' &&
    types.has((value as { t: string }).t)
  )
}
