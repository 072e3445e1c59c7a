// Origin side: messages the peer sent with `origin.send`, for `receive` (OTP's selective receive):
// a waiter takes the oldest message its predicate accepts and leaves the others queued. The queue
// is a linked list: taking the oldest message is O(1), taking one further back costs the scan to
// it and nothing more, however long the queue.

interface Waiter {
  match: (message: unknown) => boolean
  resolve: (message: unknown) => void
  reject: (error: Error) => void
  /** Adds the receive's caller to an engine error (not to one thrown by `match`). */
  decorate: (error: Error) => Error
}

interface Entry {
  message: unknown
  next: Entry | undefined
  prev: Entry | undefined
}

export class Mailbox {
  private head: Entry | undefined
  private tail: Entry | undefined
  private count = 0
  private readonly waiters = new Set<Waiter>()
  /** Set once the peer is down: what later receives reject with (a fresh error each). */
  private failure: (() => Error) | undefined

  /** How many messages are queued. */
  get size(): number {
    return this.count
  }

  /** Up to `count` of the oldest queued messages, left queued (for error messages). */
  peek(count: number): unknown[] {
    const first: unknown[] = []
    for (let entry = this.head; entry !== undefined && first.length < count; entry = entry.next) {
      first.push(entry.message)
    }
    return first
  }

  /** A message arrived: the first waiting receive that accepts it takes it, else it is queued. */
  deliver(message: unknown): void {
    for (const waiter of this.waiters) {
      if (this.accepts(waiter, message)) {
        this.waiters.delete(waiter)
        waiter.resolve(message)
        return
      }
    }
    const entry: Entry = { message, next: undefined, prev: this.tail }
    if (this.tail === undefined) this.head = entry
    else this.tail.next = entry
    this.tail = entry
    this.count += 1
  }

  /**
   * The oldest queued message `match` accepts, or the next one to arrive. `arm` starts the timeout
   * and returns its cancel function; it is called only when the receive has to wait. `decorate`
   * adds the caller's context to an engine error before it rejects.
   */
  receive(
    match: (message: unknown) => boolean,
    arm: (fail: (e: Error) => void) => () => void,
    decorate: (error: Error) => Error = (error) => error,
  ): Promise<unknown> {
    let found: Entry | undefined
    try {
      found = this.find(match)
    } catch (error) {
      return Promise.reject(error)
    }
    if (found !== undefined) return Promise.resolve(this.remove(found))
    if (this.failure) return Promise.reject(decorate(this.failure()))
    return new Promise((resolve, reject) => {
      let disarm = () => {}
      const waiter: Waiter = {
        match,
        decorate,
        resolve: (m) => {
          disarm()
          resolve(m)
        },
        reject: (e) => {
          disarm()
          reject(e)
        },
      }
      this.waiters.add(waiter)
      disarm = arm((error) => {
        this.waiters.delete(waiter)
        reject(decorate(error))
      })
    })
  }

  /** Remove and return every queued message `match` accepts (all when absent), oldest first (OTP's `flush()`). */
  flush(match?: (message: unknown) => boolean): unknown[] {
    const taken: unknown[] = []
    for (let entry = this.head; entry !== undefined; ) {
      const next = entry.next
      if (match === undefined || match(entry.message)) taken.push(this.remove(entry))
      entry = next
    }
    return taken
  }

  /** The peer is down: pending and later receives reject with `failure()`; `keepQueue` lets queued messages still be taken. */
  close(failure: () => Error, keepQueue: boolean): void {
    this.failure = failure
    if (!keepQueue) {
      this.head = undefined
      this.tail = undefined
      this.count = 0
    }
    for (const waiter of this.waiters) waiter.reject(waiter.decorate(failure()))
    this.waiters.clear()
  }

  private find(match: (message: unknown) => boolean): Entry | undefined {
    for (let entry = this.head; entry !== undefined; entry = entry.next) if (match(entry.message)) return entry
    return undefined
  }

  private remove(entry: Entry): unknown {
    if (entry.prev === undefined) this.head = entry.next
    else entry.prev.next = entry.next
    if (entry.next === undefined) this.tail = entry.prev
    else entry.next.prev = entry.prev
    this.count -= 1
    return entry.message
  }

  /** A predicate that throws rejects its own receive, not the delivery of the message. */
  private accepts(waiter: Waiter, message: unknown): boolean {
    try {
      return waiter.match(message)
    } catch (error) {
      this.waiters.delete(waiter)
      waiter.reject(error as Error)
      return false
    }
  }
}
