// Both sides: the wire messages of the control connection, one discriminated union per direction.
// PROTOCOL.md (package root) documents them with the frame layout and the boot handshake.

/**
 * Version of the message set and handshakes; the peer announces it in `hello`, and the origin
 * refuses a peer runtime that speaks another one (a remote host or an old install).
 */
export const PROTOCOL_VERSION = 3

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
  /** Heartbeat (`heartbeat` option): answer `tock` at once. */
  | { t: 'tick' }

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
  /** The answer to `tick`. */
  | { t: 'tock' }

type Check = (message: Record<string, unknown>) => string | undefined

const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
const isText = (v: unknown) => typeof v === 'string'
const flagged = (m: Record<string, unknown>) => (m.x === undefined || m.x === 1 ? undefined : 'x must be 1 or absent')
const all =
  (...checks: [string, (v: unknown) => boolean, string][]): Check =>
  (m) => {
    for (const [field, valid, expected] of checks) if (!valid(m[field])) return `${field} must be ${expected}`
    return flagged(m)
  }
const ID: [string, (v: unknown) => boolean, string] = ['id', isId, 'a positive integer']
const ARGS: [string, (v: unknown) => boolean, string] = ['a', Array.isArray, 'an array']
const HAS_VALUE: Check = (m) => ('v' in m ? flagged(m) : 'v is missing')

/** What each message type must carry, origin to peer. */
const ORIGIN_TO_PEER: Record<string, Check> = {
  call: all(ID, ['m', isText, 'a string'], ['f', isText, 'a string'], ARGS),
  cast: all(['m', isText, 'a string'], ['f', isText, 'a string'], ARGS),
  eval: all(ID, ['src', isText, 'a string'], ARGS),
  send: (m) => (isText(m.to) ? HAS_VALUE(m) : 'to must be a string'),
  stop: all(['graceful', (v) => typeof v === 'boolean', 'a boolean']),
  tick: all(),
  init: all(['resolver', (v) => typeof v === 'object' && v !== null && isText((v as { m?: unknown }).m), '{ m, d }']),
}

/** What each message type must carry, peer to origin. */
const PEER_TO_ORIGIN: Record<string, Check> = {
  hello: all(['v', (v) => typeof v === 'number', 'a number']),
  ok: (m) => (isId(m.id) ? HAS_VALUE(m) : 'id must be a positive integer'),
  err: (m) => (isId(m.id) ? HAS_VALUE(m) : 'id must be a positive integer'),
  msg: HAS_VALUE,
  tock: all(),
  out: all(
    ['s', (v) => v === 1 || v === 2, '1 or 2'],
    ['d', (v) => isText(v) || ArrayBuffer.isView(v), 'text or bytes'],
  ),
}

/**
 * Why `value` is not a valid message of `checks`' direction, or `undefined` when it is one. Every
 * message is checked here, before anything acts on it.
 */
function problem(value: unknown, checks: Record<string, Check>): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object'
  const message = value as Record<string, unknown>
  const check = typeof message.t === 'string' && Object.hasOwn(checks, message.t) ? checks[message.t] : undefined
  if (check === undefined) return `unknown message type ${JSON.stringify(message.t) ?? String(message.t)}`
  const wrong = check(message)
  return wrong === undefined ? undefined : `'${message.t}' message: ${wrong}`
}

/** Why `value` is not a valid message from the peer, or `undefined`. */
export function peerMessageProblem(value: unknown): string | undefined {
  return problem(value, PEER_TO_ORIGIN)
}

/** Why `value` is not a valid message from the origin, or `undefined`. */
export function originMessageProblem(value: unknown): string | undefined {
  return problem(value, ORIGIN_TO_PEER)
}
