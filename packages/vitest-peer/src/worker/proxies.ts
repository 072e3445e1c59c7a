// Vitest worker side: the network proxies of one test (`useProxy`, the `startProxy` fixture). Each
// is the engine's `startProxy`; the test's group closes every one when the test ends, after its
// peers are gone, so that peers shut down over the network as the test left it.
import { type NetworkProxy, type NetworkProxyOptions, startProxy } from '@vitest-peer/core'

/** Start a proxy owned by the current test; closed when the test ends. */
export type StartProxy = (options: NetworkProxyOptions) => Promise<NetworkProxy>

/** The proxies of one test try. */
export class TestProxies {
  private readonly open = new Set<NetworkProxy>()
  private readonly pending = new Set<Promise<unknown>>()
  private closing = false

  /** `ended()` is the error of a start after `close()` began. */
  constructor(private readonly ended: () => Error) {}

  /** Start a proxy; one that starts listening once `close()` began is closed at once, and the start fails. */
  start(options: NetworkProxyOptions): Promise<NetworkProxy> {
    if (this.closing) return Promise.reject(this.ended())
    const flow = startProxy(options).then(async (proxy) => {
      if (this.closing) {
        await proxy.close()
        throw this.ended()
      }
      this.open.add(proxy)
      return proxy
    })
    this.pending.add(flow)
    const forget = () => this.pending.delete(flow)
    flow.then(forget, forget)
    return flow
  }

  /** Refuse new proxies, wait for the starts in flight, and close every proxy (idempotent). */
  async close(): Promise<void> {
    this.closing = true
    await Promise.allSettled([...this.pending])
    await Promise.allSettled([...this.open].map((proxy) => proxy.close()))
  }
}
