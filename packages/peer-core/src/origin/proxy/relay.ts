// Origin side: one proxied connection: the client socket the proxy accepted, the socket it
// dialed to the target, and a `Direction` each way. The relay follows the proxy's fault: a cut
// resets both sockets; a blackhole holds a new connection without dialing the target (it is
// dialed once the fault changes); other faults dial at once.
import { createConnection, type Socket } from 'node:net'
import { Direction, type ProxyState, resetSocket } from './direction.js'

/**
 * - `held`: accepted during a blackhole; the target is not dialed, client bytes are discarded.
 * - `dialing`: connecting to the target; the client is paused (its bytes wait in the kernel).
 * - `open`: both sockets connected, a `Direction` each way.
 * - `reset`: reset by the proxy (a cut, `close()`, the target refusing), or closed on both sides.
 */
type RelayPhase = 'held' | 'dialing' | 'open' | 'reset'

export class Relay {
  private phase: RelayPhase = 'held'
  private upstream: Socket | undefined
  private up: Direction | undefined
  private down: Direction | undefined
  /** Sockets not closed yet; the relay is done at 0. */
  private live = 1

  constructor(
    private readonly client: Socket,
    private readonly state: ProxyState,
    private readonly target: { host: string; port: number },
    private readonly done: (relay: Relay) => void,
  ) {
    client.on('error', ignore) // a reset shows as 'close' with hadError
    client.once('close', (hadError) => this.closed(client, hadError))
    const fault = state.fault.kind
    if (fault === 'cut') this.reset()
    else if (fault === 'blackhole') this.hold()
    else this.dial()
  }

  /** Follow the proxy's fault when it changes. */
  apply(): void {
    const fault = this.state.fault.kind
    if (fault === 'cut') return this.reset()
    if (this.phase === 'open') {
      this.up?.apply()
      this.down?.apply()
    } else if (this.phase === 'held' && fault !== 'blackhole') this.dial()
  }

  /** Sends RST on both sockets and drops whatever is queued. */
  reset(): void {
    this.phase = 'reset'
    this.up?.dispose()
    this.down?.dispose()
    resetSocket(this.client)
    resetSocket(this.upstream)
  }

  private readonly discard = (chunk: Buffer): void => {
    this.state.stats.bytesUp += chunk.length
    this.state.stats.bytesDiscarded += chunk.length
  }

  private hold(): void {
    this.client.on('data', this.discard)
    this.client.resume()
  }

  private dial(): void {
    this.phase = 'dialing'
    this.client.off('data', this.discard)
    this.client.pause()
    const upstream = createConnection({ ...this.target, allowHalfOpen: true, noDelay: true })
    this.upstream = upstream
    this.live++
    upstream.on('error', ignore)
    upstream.once('connect', () => this.open(upstream))
    upstream.once('close', (hadError) => this.closed(upstream, hadError))
  }

  private open(upstream: Socket): void {
    if (this.phase !== 'dialing') return
    this.phase = 'open'
    this.up = new Direction(this.client, upstream, this.state, 'bytesUp')
    this.down = new Direction(upstream, this.client, this.state, 'bytesDown')
    // A client that ended while held: its end was held by the blackhole, pass it on now.
    if (this.client.readableEnded) this.up.finish('end')
    this.client.resume()
    upstream.resume()
  }

  private closed(socket: Socket, hadError: boolean): void {
    if (--this.live === 0) {
      this.phase = 'reset'
      this.done(this)
      return
    }
    if (this.phase === 'open') {
      // A socket that closed cleanly has ended both ways, and its Direction passes the end on; a
      // reset is passed on the same way.
      if (hadError) (socket === this.client ? this.up : this.down)?.finish('reset')
    } else if (this.phase !== 'reset') {
      // The client left while held or dialing, or the target refused or failed the connection:
      // nothing can be passed through, so the other side is reset.
      this.reset()
    }
  }
}

function ignore(): void {}
