// Both sides: how values cross the control connection. Everything goes by the structured-clone
// algorithm (v8 serialisation), which keeps only an error's `name` (for the builtin classes),
// `message`, `stack` and `cause`, and drops its `code`, subclass name and other own properties
// (https://nodejs.org/api/v8.html#serialization-api). So errors are encoded by hand first: each
// Error inside a value becomes an `EncodedError` record and is rebuilt on the other side.
// Values may come from another realm (Vitest's vmThreads/vmForks pools run tests in a vm context):
// every check here works without this realm's constructors or prototypes.
import { types } from 'node:util'

/** Marker key of an encoded error; a plain data object never has it by accident in practice. */
const ERROR_KEY = '@@vitest-peer/error'

/** What crosses the wire for one Error. */
export interface EncodedError {
  name: string
  message: string
  stack: string | undefined
  code: unknown
  cause: unknown
  hasCause: boolean
  /** Own enumerable properties other than the above, encoded recursively. */
  props: Record<string, unknown>
}

/** `value` with every Error replaced by an encoded record, and whether anything was replaced. */
export function encodeValue(value: unknown): { value: unknown; flagged: boolean } {
  if (isFlat(value) || !containsError(value, new Set())) return { value, flagged: false }
  return { value: replaceErrors(value, new Map()), flagged: true }
}

/** The inverse of `encodeValue`, with `rebuild` turning each record into an Error. */
export function decodeValue(value: unknown, rebuild: (encoded: EncodedError) => Error): unknown {
  return restoreErrors(value, new Map(), rebuild)
}

/** A primitive, or an array of primitives: no error inside, no walk needed (the common call). */
function isFlat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    if (typeof item === 'object' && item !== null) return false
  }
  return true
}

/** An array, or an object whose prototype is some realm's `Object.prototype` (or null). */
function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true
  const proto = Object.getPrototypeOf(value)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/** An Error of any realm (or an object built on an Error prototype). */
function isError(value: object): value is Error {
  return types.isNativeError(value) || value instanceof Error
}

function containsError(value: unknown, seen: Set<object>): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (isError(value)) return true
  if (seen.has(value)) return false
  seen.add(value)
  if (types.isMap(value)) {
    for (const [k, v] of value) if (containsError(k, seen) || containsError(v, seen)) return true
    return false
  }
  if (types.isSet(value)) {
    for (const v of value) if (containsError(v, seen)) return true
    return false
  }
  if (!isPlainContainer(value)) return false
  for (const key in value) if (containsError((value as Record<string, unknown>)[key], seen)) return true
  return false
}

function replaceErrors(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value
  const done = memo.get(value)
  if (done !== undefined) return done
  if (isError(value)) {
    const record: Record<string, unknown> = {}
    memo.set(value, record)
    const error = value as Error & { code?: unknown }
    const props: Record<string, unknown> = {}
    // Own properties, enumerable or not (AggregateError's `errors` is not).
    for (const key of Object.getOwnPropertyNames(error)) {
      if (key === 'code' || key === 'cause' || key === 'message' || key === 'stack' || key === 'name') continue
      props[key] = replaceErrors((error as unknown as Record<string, unknown>)[key], memo)
    }
    const encoded: EncodedError = {
      name: String(error.name),
      message: String(error.message),
      stack: typeof error.stack === 'string' ? error.stack : undefined,
      code: replaceErrors(error.code, memo),
      cause: replaceErrors(error.cause, memo),
      hasCause: 'cause' in error,
      props,
    }
    record[ERROR_KEY] = encoded
    return record
  }
  if (types.isMap(value)) {
    const copy = new Map()
    memo.set(value, copy)
    for (const [k, v] of value) copy.set(replaceErrors(k, memo), replaceErrors(v, memo))
    return copy
  }
  if (types.isSet(value)) {
    const copy = new Set()
    memo.set(value, copy)
    for (const v of value) copy.add(replaceErrors(v, memo))
    return copy
  }
  if (!isPlainContainer(value)) return value
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? new Array(value.length) : {}
  memo.set(value, copy)
  for (const key in value) {
    ;(copy as Record<string, unknown>)[key] = replaceErrors((value as Record<string, unknown>)[key], memo)
  }
  return copy
}

function restoreErrors(value: unknown, memo: Map<object, unknown>, rebuild: (e: EncodedError) => Error): unknown {
  if (typeof value !== 'object' || value === null) return value
  const done = memo.get(value)
  if (done !== undefined) return done
  const record = (value as Record<string, unknown>)[ERROR_KEY] as EncodedError | undefined
  if (record !== undefined && isPlainContainer(value)) {
    const error = rebuild({ ...record, code: undefined, cause: undefined, props: {} })
    memo.set(value, error)
    const target = error as unknown as Record<string, unknown>
    for (const [key, prop] of Object.entries(record.props)) target[key] = restoreErrors(prop, memo, rebuild)
    if (record.code !== undefined) target.code = restoreErrors(record.code, memo, rebuild)
    if (record.hasCause) {
      Object.defineProperty(error, 'cause', {
        value: restoreErrors(record.cause, memo, rebuild),
        writable: true,
        configurable: true,
        enumerable: false,
      })
    }
    return error
  }
  if (types.isMap(value)) {
    memo.set(value, value)
    const entries = [...value]
    value.clear()
    for (const [k, v] of entries) value.set(restoreErrors(k, memo, rebuild), restoreErrors(v, memo, rebuild))
    return value
  }
  if (types.isSet(value)) {
    memo.set(value, value)
    const items = [...value]
    value.clear()
    for (const v of items) value.add(restoreErrors(v, memo, rebuild))
    return value
  }
  if (!isPlainContainer(value)) return value
  memo.set(value, value)
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key]
    ;(value as Record<string, unknown>)[key] = restoreErrors(v, memo, rebuild)
  }
  return value
}
