// Origin side: one direction of a proxied connection, client → target or target → client. Each
// chunk is handled by the fault in force when the proxy reads it: written at once, queued until
// its delay is over, or discarded by a blackhole. Nothing overtakes what was read before it: a
// chunk read while earlier ones wait in the queue waits behind them, even with no fault. The end
// of the stream (FIN) and a reset travel the same way, behind the chunks read before them; a
// blackhole holds them (instead of discarding them) until the fault changes.
import type { Socket } from 'node:net'
import type { NetworkProxyStats } from './types.js'

// Captured at load: a test may fake timers (vi.useFakeTimers) in this process.
const { setTimeout, clearTimeout } = globalThis
const now = performance.now.bind(performance)

/**
 * Bytes a direction may hold in its delay queue before it stops reading its source, so that a
 * delayed flood waits in the kernel's buffers (and slows the sender) instead of in memory.
 */
const DELAY_QUEUE_LIMIT_BYTES = 1024 * 1024

/** The fault a proxy applies now; one object shared by every connection of the proxy. */
export type Fault = { kind: 'none' } | { kind: 'cut' } | { kind: 'blackhole' } | { kind: 'delay'; ms: number }

/** What the connections of one proxy share: the fault in force and the counters. */
export interface ProxyState {
  fault: Fault
  /** Every counter but `open`, which the proxy counts itself. */
  readonly stats: Omit<NetworkProxyStats, 'open'>
}

/** How a source stream finished: what is passed on to the other side. */
type Terminal = 'end' | 'reset'

/**
 * Resets a socket (RST), or closes it before its handshake when it is still connecting. A socket
 * whose end was passed on (`end()`) is closed without a RST: libuv does not allow a reset after a
 * shutdown (https://github.com/libuv/libuv/blob/v1.46.0/docs/src/tcp.rst, `uv_tcp_close_reset`),
 * and Node then never emits 'close' for it, so the relay would never finish.
 */
export function resetSocket(socket: Socket | undefined): void {
  if (socket === undefined || socket.destroyed) return
  if (socket.connecting || socket.writableEnded) socket.destroy()
  else socket.resetAndDestroy()
}

export class Direction {
  private readonly queue: { chunk: Buffer; due: number }[] = []
  private head = 0
  private lastDue = 0
  private queuedBytes = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private terminal: Terminal | undefined
  private ended = false

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly state: ProxyState,
    private readonly counter: 'bytesUp' | 'bytesDown',
  ) {
    from.on('data', this.onData)
    from.on('end', () => this.finish('end'))
    to.on('drain', this.resume)
  }

  /** The source was reset (or ended): pass it on behind the chunks read before it. */
  finish(terminal: Terminal): void {
    // A reset after an end still resets: the connection is gone either way.
    if (this.terminal === undefined || terminal === 'reset') this.terminal = terminal
    this.settle()
  }

  /** The proxy's fault changed. */
  apply(): void {
    if (this.state.fault.kind === 'blackhole') {
      // Keep reading, to discard, even while the destination is not draining.
      this.from.resume()
      return
    }
    this.resume()
    this.settle()
  }

  /** Drops what is queued and stops the timer (the connection is being reset). */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.queue.length = 0
    this.head = 0
    this.queuedBytes = 0
  }

  private readonly onData = (chunk: Buffer): void => {
    const fault = this.state.fault
    this.state.stats[this.counter] += chunk.length
    if (fault.kind === 'blackhole') this.state.stats.bytesDiscarded += chunk.length
    else if (fault.kind === 'delay') this.enqueue(chunk, fault.ms)
    else if (this.head < this.queue.length) this.enqueue(chunk, 0)
    else this.write(chunk)
  }

  private write(chunk: Buffer): void {
    if (!this.to.destroyed && !this.to.write(chunk)) this.from.pause()
  }

  private readonly resume = (): void => {
    if (this.queuedBytes < DELAY_QUEUE_LIMIT_BYTES && !this.to.writableNeedDrain) this.from.resume()
  }

  private enqueue(chunk: Buffer, ms: number): void {
    const due = Math.max(now() + ms, this.lastDue)
    this.lastDue = due
    this.queue.push({ chunk, due })
    this.queuedBytes += chunk.length
    if (this.queuedBytes >= DELAY_QUEUE_LIMIT_BYTES) this.from.pause()
    if (this.timer === undefined) this.schedule()
  }

  private schedule(): void {
    const next = this.queue[this.head]
    if (next !== undefined) this.timer = setTimeout(this.flush, Math.max(0, next.due - now()))
  }

  private readonly flush = (): void => {
    this.timer = undefined
    const t = now()
    for (let next = this.queue[this.head]; next !== undefined && next.due <= t; next = this.queue[this.head]) {
      this.head++
      this.queuedBytes -= next.chunk.length
      this.write(next.chunk)
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    } else this.schedule()
    if (this.state.fault.kind !== 'blackhole') this.resume()
    this.settle()
  }

  /** Passes the end or reset on once nothing read before it waits, unless a blackhole holds it. */
  private settle(): void {
    if (this.terminal === undefined || this.head < this.queue.length || this.state.fault.kind === 'blackhole') return
    if (this.terminal === 'reset') resetSocket(this.to)
    else if (!this.ended) {
      this.ended = true
      this.to.end()
    }
  }
}
