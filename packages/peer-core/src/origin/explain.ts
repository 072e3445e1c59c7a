// Origin side: the words of two rejections of `Peer` methods: what a `receive` that timed out
// found queued, and what a `ReferenceError` from an evaluated function most likely means.
import { inspect } from 'node:util'
import { RemoteError } from '../errors.js'

/** Messages shown by a `receive` timeout. */
const QUEUE_SHOWN = 3

/** For a `receive` timeout: how many messages wait, and the first few (none matched the predicate). */
export function describeQueue(mailbox: { size: number; peek(count: number): unknown[] }): string[] {
  if (mailbox.size === 0) return ['queued:  no message']
  const shown = mailbox.peek(QUEUE_SHOWN).map((message) => {
    const text = inspect(message, { depth: 2, breakLength: Number.POSITIVE_INFINITY })
    return `  ${text.length > 120 ? `${text.slice(0, 119)}…` : text}`
  })
  const more = mailbox.size > QUEUE_SHOWN ? [`  … and ${mailbox.size - QUEUE_SHOWN} more`] : []
  return [
    `queued:  ${mailbox.size} message${mailbox.size === 1 ? '' : 's'} the predicate did not accept:`,
    ...shown,
    ...more,
  ]
}

/**
 * A `ReferenceError` from an evaluated function most likely means it closed over a variable of the
 * test, which does not exist in the peer: say so under the remote message.
 */
export function explainClosure(error: unknown): never {
  if (error instanceof RemoteError && error.name === 'ReferenceError') {
    const note =
      'evaluate() runs its function in the peer, where the variables around it in the test do not exist: the function must be self-contained (pass values as arguments: peer.evaluate((value) => …, value))'
    const header = `${error.name}: ${error.message}`
    error.message = `${error.message}\n${note}`
    if (typeof error.stack === 'string' && error.stack.startsWith(header)) {
      error.stack = `${header}\n${note}${error.stack.slice(header.length)}`
    }
  }
  throw error
}
