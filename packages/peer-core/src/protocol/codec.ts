// Both sides: the one place where messages are encoded for the wire and decoded from it. Values
// cross by structured clone, which loses what makes an error useful, so errors inside a value are
// encoded first (values.ts). Each side applies `encodeMessage` to everything it sends and
// `decodeMessage` to everything it receives: no request or reply handler sees an encoded value.
import { decodeValue, type EncodedError, encodeValue } from './values.js'

/** The field that carries a message's user value, by message type. */
const VALUE_FIELD: Readonly<Record<string, 'a' | 'v'>> = {
  call: 'a',
  cast: 'a',
  eval: 'a',
  send: 'v',
  ok: 'v',
  err: 'v',
  msg: 'v',
}

type Encodable = { t: string; x?: 1 }

/**
 * `message` ready for the wire: a value with errors inside is copied with each error encoded and
 * the message flagged `x: 1`; any other message is returned as is. Throws what encoding throws
 * (a getter or a revoked Proxy inside the value).
 */
export function encodeMessage<M extends Encodable>(message: M): M {
  const field = VALUE_FIELD[message.t]
  if (field === undefined) return message
  const encoded = encodeValue((message as Record<string, unknown>)[field])
  return encoded.flagged ? { ...message, [field]: encoded.value, x: 1 } : message
}

/** The inverse of `encodeMessage`: a flagged message's encoded errors rebuilt with `rebuild`. */
export function decodeMessage<M extends Encodable>(message: M, rebuild: (encoded: EncodedError) => Error): M {
  if (message.x !== 1) return message
  const field = VALUE_FIELD[message.t]
  if (field === undefined) return message
  const { x: _, ...rest } = message
  return { ...rest, [field]: decodeValue((message as Record<string, unknown>)[field], rebuild) } as M
}
