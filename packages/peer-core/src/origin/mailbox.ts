// Origin side: messages the peer sent with `origin.send`, for `receive` (OTP's selective receive):
// a waiter takes the oldest message its predicate accepts and leaves the others queued.

interface Waiter {
  match: (message: unknown) => boolean
  resolve: (message: unknown) => void
  reject: (error: Error) => void
}

export class Mailbox {
  private queue: unknown[] = []
  private readonly waiters = new Set<Waiter>()
  private failure: Error | undefined

  /** A message arrived: the first waiting receive that accepts it takes it, else it is queued. */
  deliver(message: unknown): void {
    for (const waiter of this.waiters) {
      if (this.accepts(waiter, message)) {
        this.waiters.delete(waiter)
        waiter.resolve(message)
        return
      }
    }
    this.queue.push(message)
  }

  /**
   * The oldest queued message `match` accepts, or the next one to arrive. `arm` starts the timeout
   * and returns its cancel function; it is called only when the receive has to wait.
   */
  receive(match: (message: unknown) => boolean, arm: (fail: (e: Error) => void) => () => void): Promise<unknown> {
    let index: number
    try {
      index = this.queue.findIndex((message) => match(message))
    } catch (error) {
      return Promise.reject(error)
    }
    if (index !== -1) return Promise.resolve(this.queue.splice(index, 1)[0])
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      let disarm = () => {}
      const waiter: Waiter = {
        match,
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
        reject(error)
      })
    })
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

  /** The peer is down: pending and later receives reject; `keepQueue` lets queued messages still be taken. */
  close(error: Error, keepQueue: boolean): void {
    this.failure = error
    if (!keepQueue) this.queue = []
    for (const waiter of this.waiters) waiter.reject(error)
    this.waiters.clear()
  }
}
