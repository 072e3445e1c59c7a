// Origin side: `startProxy`, a TCP proxy the origin controls, put between peers that talk to each
// other so a test can cut, blackhole or delay their traffic (as Akka's test transport and
// toxiproxy do, without Docker). It listens on loopback unless a host is given; each accepted
// connection is a `Relay` to the target.
import { type AddressInfo, createServer, type Server } from 'node:net'
import type { Fault, ProxyState } from './direction.js'
import { formatAddress, ProxyListenError } from './errors.js'
import { checkDelay, type ResolvedProxyOptions, resolveProxyOptions } from './options.js'
import { Relay } from './relay.js'
import type { NetworkProxy, NetworkProxyOptions, NetworkProxyStats } from './types.js'

const NONE: Fault = { kind: 'none' }
const CUT: Fault = { kind: 'cut' }
const BLACKHOLE: Fault = { kind: 'blackhole' }

/** Starts a TCP proxy to `options.target`; resolves once it listens (`proxy.port`). */
export async function startProxy(options: NetworkProxyOptions): Promise<NetworkProxy> {
  const resolved = resolveProxyOptions(options)
  // allowHalfOpen: a client's FIN is passed on as a FIN, not answered by closing the connection.
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true })
  await listen(server, resolved)
  return new TcpProxy(server, resolved)
}

function listen(server: Server, { host, port, target }: ResolvedProxyOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new ProxyListenError(host, port, formatAddress(target.host, target.port), error))
    })
    server.listen({ host, port, exclusive: true }, () => resolve())
  })
}

class TcpProxy implements NetworkProxy {
  readonly host: string
  readonly port: number
  readonly target: { readonly host: string; readonly port: number }
  private readonly state: ProxyState = {
    fault: NONE,
    stats: { connections: 0, bytesUp: 0, bytesDown: 0, bytesDiscarded: 0 },
  }
  private readonly relays = new Set<Relay>()
  private closing: Promise<void> | undefined
  /** Resolves `close()` once the listener and every relay are closed. */
  private drained: (() => void) | undefined

  constructor(
    private readonly server: Server,
    options: ResolvedProxyOptions,
  ) {
    const address = server.address() as AddressInfo
    this.host = address.address
    this.port = address.port
    this.target = Object.freeze({ ...options.target })
    server.on('connection', (socket) => {
      this.state.stats.connections++
      // Added before any of its sockets can close (a cut resets it in the constructor, the close comes later).
      this.relays.add(new Relay(socket, this.state, this.target, this.relayDone))
    })
  }

  get stats(): NetworkProxyStats {
    const { connections, bytesUp, bytesDown, bytesDiscarded } = this.state.stats
    return { connections, open: this.relays.size, bytesUp, bytesDown, bytesDiscarded }
  }

  cut(): void {
    this.setFault(CUT)
  }

  blackhole(): void {
    this.setFault(BLACKHOLE)
  }

  delay(ms: number): void {
    this.setFault(checkDelay(ms) === 0 ? NONE : { kind: 'delay', ms })
  }

  heal(): void {
    this.setFault(NONE)
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      let listening = true
      const settle = () => {
        if (!listening && this.relays.size === 0) resolve()
      }
      this.drained = settle
      this.server.close(() => {
        listening = false
        settle()
      })
      for (const relay of this.relays) relay.reset()
    })
    return this.closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  private setFault(fault: Fault): void {
    if (this.closing !== undefined) return
    this.state.fault = fault
    for (const relay of this.relays) relay.apply()
  }

  private readonly relayDone = (relay: Relay): void => {
    this.relays.delete(relay)
    this.drained?.()
  }
}
