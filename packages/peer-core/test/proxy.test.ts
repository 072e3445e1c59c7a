// Origin side: startProxy over real sockets on loopback. A tiny echo server and clients in this
// process, and a server peer with a client peer: every fault on an open connection and on a new
// one, order under delay, the counters, close() and `await using`, and the errors.
import { connect, createServer, type Server, type Socket } from 'node:net'
import {
  type NetworkProxy,
  type NetworkProxyOptions,
  PeerError,
  ProxyListenError,
  ProxyOptionsError,
  startProxy,
} from '@vitest-peer/core'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import { resetSocket } from '../src/origin/proxy/direction.js'
import { rejectionOf, startTracked } from './helpers.js'

const LOOPBACK = '127.0.0.1'

/** One end of a TCP connection, with what it received and how it closed. */
class End {
  text = ''
  ended = false
  /** How the socket closed: the error code (`'ECONNRESET'`), or `null` for a clean close. */
  readonly closed: Promise<string | null>
  private readonly waiters = new Set<() => void>()

  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      this.text += data
      this.notify()
    })
    socket.on('end', () => {
      this.ended = true
      this.notify()
    })
    let code: string | null = null
    socket.on('error', (error: NodeJS.ErrnoException) => {
      code ??= error.code ?? error.message
    })
    this.closed = new Promise((resolve) => socket.once('close', () => resolve(code)))
  }

  /** Resolves once `condition` holds, checked at each data and end event. */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
    })
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}

/** A loopback echo server, closed after the test; `accepted` are the server's ends, in order. */
async function echoServer(): Promise<{ port: number; accepted: End[]; nth(index: number): Promise<End> }> {
  const accepted: End[] = []
  const arrivals = new Set<() => void>()
  const server = createServer((socket) => {
    socket.on('data', (data) => socket.write(data))
    accepted.push(new End(socket))
    for (const arrival of [...arrivals]) arrival()
  })
  const port = await listenOn(server, 0)
  onTestFinished(async () => {
    for (const end of accepted) end.socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const nth = (index: number) =>
    new Promise<End>((resolve) => {
      const check = () => {
        const end = accepted[index]
        if (end === undefined) return
        arrivals.delete(check)
        resolve(end)
      }
      arrivals.add(check)
      check()
    })
  return { port, accepted, nth }
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, LOOPBACK, () => resolve((server.address() as { port: number }).port))
  })
}

/** A proxy closed after the test. */
async function proxyTo(port: number, options: Omit<NetworkProxyOptions, 'target'> = {}): Promise<NetworkProxy> {
  const proxy = await startProxy({ target: { host: LOOPBACK, port }, ...options })
  onTestFinished(() => proxy.close())
  return proxy
}

/** An echo server and a proxy to it, both closed after the test. */
async function echoBehindProxy(): Promise<{ echo: Awaited<ReturnType<typeof echoServer>>; proxy: NetworkProxy }> {
  const echo = await echoServer()
  return { echo, proxy: await proxyTo(echo.port) }
}

/** An echo server, a proxy and a client connected through it, after a first round trip; `server` is the echo's end. */
async function connectedClient(first: string) {
  const { echo, proxy } = await echoBehindProxy()
  const client = dial(proxy.port)
  await roundTrip(client, first)
  return { echo, proxy, client, server: await echo.nth(0) }
}

/** A client connection to `port`, destroyed after the test. */
function dial(port: number): End {
  const end = new End(connect(port, LOOPBACK))
  onTestFinished(() => {
    end.socket.destroy()
  })
  return end
}

/** Writes `text` and waits for its echo; the round trip in ms. */
async function roundTrip(client: End, text: string): Promise<number> {
  const before = client.text.length
  const start = performance.now()
  client.socket.write(text)
  await client.until(() => client.text.length >= before + text.length)
  const elapsed = performance.now() - start
  expect(client.text.slice(before)).toBe(text)
  return elapsed
}

/** Polls `condition` (e.g. a counter of the proxy) until it holds; fails after `deadlineMs`. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 5000): Promise<void> {
  const end = performance.now() + deadlineMs
  while (!(await condition())) {
    if (performance.now() > end) throw new Error(`still waiting for ${what} after ${deadlineMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/**
 * A bounded wait before asserting that something did *not* happen. It never makes a test pass:
 * the assertion after it holds at once if the proxy is right, and each such test then shows that
 * the held thing does arrive once the fault is healed.
 */
const NOTHING_ARRIVES_MS = 50
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, NOTHING_ARRIVES_MS))

async function portIsFree(port: number): Promise<void> {
  const probe = createServer()
  await listenOn(probe, port)
  await new Promise((resolve) => probe.close(resolve))
}

describe('forwarding', () => {
  test('bytes both ways, with the counters; an end is passed on and the connection closes', async () => {
    const { echo, proxy } = await echoBehindProxy()
    expect(proxy.host).toBe(LOOPBACK)
    expect(proxy.port).toBeGreaterThan(0)
    expect(proxy.target).toEqual({ host: LOOPBACK, port: echo.port })
    const client = dial(proxy.port)
    await roundTrip(client, 'hello')
    await roundTrip(client, 'again')
    expect(proxy.stats).toEqual({ connections: 1, open: 1, bytesUp: 10, bytesDown: 10, bytesDiscarded: 0 })
    client.socket.end()
    expect(await client.closed).toBeNull()
    expect(await (await echo.nth(0)).closed).toBeNull()
    await eventually(() => proxy.stats.open === 0, 'the relay to close')
    expect(proxy.stats).toEqual({ connections: 1, open: 0, bytesUp: 10, bytesDown: 10, bytesDiscarded: 0 })
  })

  test('a large transfer arrives whole and in order (backpressure), also with a delay', async () => {
    const { proxy } = await echoBehindProxy()
    const payload = Buffer.alloc(4 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789')
    for (const ms of [0, 5]) {
      proxy.delay(ms)
      const client = dial(proxy.port)
      await roundTrip(client, payload.toString('latin1'))
      client.socket.destroy()
    }
    expect(proxy.stats.bytesUp).toBe(2 * payload.length)
    expect(proxy.stats.bytesDown).toBe(2 * payload.length)
  })

  test('a target that refuses: the client is reset', async () => {
    const probe = createServer()
    const port = await listenOn(probe, 0)
    await new Promise((resolve) => probe.close(resolve))
    const proxy = await proxyTo(port)
    const client = dial(proxy.port)
    expect(await client.closed).toBe('ECONNRESET')
    await eventually(() => proxy.stats.open === 0, 'the relay to close')
    expect(proxy.stats.connections).toBe(1)
  })
})

describe('cut', () => {
  test('resets an open connection on both sides (RST)', async () => {
    const { echo, proxy, client } = await connectedClient('before')
    proxy.cut()
    expect(await client.closed).toBe('ECONNRESET')
    expect(await (await echo.nth(0)).closed).toBe('ECONNRESET')
    await eventually(() => proxy.stats.open === 0, 'the relay to close')
  })

  test('a new connection is accepted and reset at once, never reaches the target; heal restores', async () => {
    const { echo, proxy } = await echoBehindProxy()
    proxy.cut()
    const refused = dial(proxy.port)
    expect(await refused.closed).toBe('ECONNRESET')
    proxy.heal()
    const client = dial(proxy.port)
    await roundTrip(client, 'healed')
    // The first connection the target saw is the one made after heal().
    expect(echo.accepted).toHaveLength(1)
    expect(echo.accepted[0]?.text).toBe('healed')
    expect(proxy.stats).toMatchObject({ connections: 2, bytesUp: 6, bytesDown: 6 })
  })
})

describe('blackhole', () => {
  test('an open connection: bytes are read and discarded both ways; after heal only new bytes arrive', async () => {
    const { proxy, client, server } = await connectedClient('a')
    proxy.blackhole()
    client.socket.write('lost')
    await eventually(() => proxy.stats.bytesDiscarded === 4, 'the proxy to read and discard 4 bytes up')
    server.socket.write('gone')
    await eventually(() => proxy.stats.bytesDiscarded === 8, 'the proxy to read and discard 4 bytes down')
    expect(server.text).toBe('a')
    proxy.heal()
    await roundTrip(client, 'b')
    expect(server.text).toBe('ab')
    expect(client.text).toBe('ab')
    expect(proxy.stats).toEqual({ connections: 1, open: 1, bytesUp: 6, bytesDown: 6, bytesDiscarded: 8 })
  })

  test('a new connection is accepted and held without dialing the target; heal dials it', async () => {
    const { echo, proxy } = await echoBehindProxy()
    proxy.blackhole()
    const client = dial(proxy.port)
    await eventually(() => proxy.stats.connections === 1, 'the proxy to accept the connection')
    // The same fault set again changes nothing: the held bytes are discarded once.
    proxy.blackhole()
    client.socket.write('held')
    await eventually(() => proxy.stats.bytesDiscarded === 4, 'the proxy to discard the held bytes')
    expect(echo.accepted).toHaveLength(0)
    expect(proxy.stats).toMatchObject({ connections: 1, open: 1 })
    proxy.heal()
    await roundTrip(client, 'now')
    expect((await echo.nth(0)).text).toBe('now')
    expect(proxy.stats).toEqual({ connections: 1, open: 1, bytesUp: 7, bytesDown: 3, bytesDiscarded: 4 })
  })

  test('an end and a reset are held until heal, then passed on', async () => {
    const { echo, proxy } = await echoBehindProxy()
    const ending = dial(proxy.port)
    const resetting = dial(proxy.port)
    await roundTrip(ending, 'x')
    await roundTrip(resetting, 'y')
    const [endingServer, resettingServer] = await Promise.all([echo.nth(0), echo.nth(1)])
    proxy.blackhole()
    ending.socket.end()
    resetting.socket.resetAndDestroy()
    await quietPeriod()
    expect(endingServer.ended).toBe(false)
    expect(resettingServer.socket.destroyed).toBe(false)
    proxy.heal()
    expect(await resettingServer.closed).toBe('ECONNRESET')
    await endingServer.until(() => endingServer.ended)
    expect(await ending.closed).toBeNull()
  })
})

describe('delay', () => {
  test('an open connection: a round trip takes at least twice the delay, each way is delayed', async () => {
    const { proxy, client } = await connectedClient('fast')
    proxy.delay(100)
    expect(await roundTrip(client, 'slow')).toBeGreaterThanOrEqual(200)
    proxy.heal()
    await roundTrip(client, 'fast again')
  })

  test('a new connection is delayed too', async () => {
    const { proxy } = await echoBehindProxy()
    proxy.delay(60)
    const client = dial(proxy.port)
    expect(await roundTrip(client, 'slow')).toBeGreaterThanOrEqual(120)
  })

  test('order is kept: chunks read after heal() wait behind delayed ones, and so does the end', async () => {
    const { proxy, client, server } = await connectedClient('0')
    proxy.delay(150)
    const start = performance.now()
    for (const chunk of ['1', '2', '3']) client.socket.write(chunk)
    await eventually(() => proxy.stats.bytesUp === 4, 'the proxy to read the delayed chunks')
    proxy.heal()
    client.socket.end('4')
    await server.until(() => server.ended)
    expect(performance.now() - start).toBeGreaterThanOrEqual(150)
    expect(server.text).toBe('01234')
  })

  test('delay(0) heals; a bad delay is refused and changes nothing', async () => {
    const { proxy } = await echoBehindProxy()
    const client = dial(proxy.port)
    proxy.blackhole()
    proxy.delay(0)
    await roundTrip(client, 'through')
    const errors = [-1, Number.NaN, Number.POSITIVE_INFINITY, '10'].map((ms) => {
      try {
        proxy.delay(ms as number)
      } catch (error) {
        return error as ProxyOptionsError
      }
      throw new Error(`delay(${String(ms)}) was accepted`)
    })
    expect(errors.every((error) => error instanceof ProxyOptionsError && error.option === 'delay(ms)')).toBe(true)
    expect(errors.map((error) => error.message)).toMatchInlineSnapshot(`
      [
        "invalid proxy option \`delay(ms)\`: -1; expected a finite number of milliseconds, 0 or more",
        "invalid proxy option \`delay(ms)\`: NaN; expected a finite number of milliseconds, 0 or more",
        "invalid proxy option \`delay(ms)\`: Infinity; expected a finite number of milliseconds, 0 or more",
        "invalid proxy option \`delay(ms)\`: "10"; expected a finite number of milliseconds, 0 or more",
      ]
    `)
    await roundTrip(client, 'still through')
  })

  test('a test that fakes timers does not freeze the delay (the proxy keeps real time)', async () => {
    const { proxy } = await echoBehindProxy()
    const client = dial(proxy.port)
    vi.useFakeTimers()
    try {
      proxy.delay(20)
      await roundTrip(client, 'real time')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('close', () => {
  test('resets every connection, frees the port, is idempotent; faults after it do nothing', async () => {
    const echo = await echoServer()
    const proxy = await startProxy({ target: { port: echo.port } })
    const client = dial(proxy.port)
    await roundTrip(client, 'x')
    const closing = proxy.close()
    expect(proxy.close()).toBe(closing)
    await closing
    expect(await client.closed).toBe('ECONNRESET')
    expect(await (await echo.nth(0)).closed).toBe('ECONNRESET')
    expect(proxy.stats.open).toBe(0)
    expect(await dial(proxy.port).closed).toBe('ECONNREFUSED')
    proxy.cut()
    proxy.heal()
    await portIsFree(proxy.port)
  })

  test('a socket reset while its end is under way closes too (libuv refuses a reset after a shutdown)', async () => {
    const echo = await echoServer()
    const client = dial(echo.port)
    await roundTrip(client, 'x')
    // As a Direction does when it passes an end on, and a cut or close() follows before it is done.
    client.socket.end()
    expect(client.socket.writableFinished).toBe(false)
    resetSocket(client.socket)
    expect(await client.closed).toBe(null)
  })

  test('await using closes the proxy at the end of the block', async () => {
    const echo = await echoServer()
    let port: number
    let client: End
    {
      await using proxy = await startProxy({ target: { port: echo.port } })
      port = proxy.port
      client = dial(port)
      await roundTrip(client, 'x')
    }
    expect(await client.closed).toBe('ECONNRESET')
    await portIsFree(port)
  })
})

describe('errors', () => {
  test('invalid options: ProxyOptionsError naming the option, before anything listens', async () => {
    const cases: unknown[] = [
      undefined,
      {},
      { target: 4000 },
      { target: { port: 0 } },
      { target: { port: 65536 } },
      { target: { host: '', port: 1 } },
      { target: { port: 1, hots: 'x' } },
      { target: { port: 1 }, port: -1 },
      { target: { port: 1 }, port: 1.5 },
      { target: { port: 1 }, host: 7 },
      { target: { port: 1 }, delay: 10 },
    ]
    const errors = await Promise.all(cases.map((options) => rejectionOf(startProxy(options as NetworkProxyOptions))))
    expect(errors.every((error) => error instanceof ProxyOptionsError && error instanceof PeerError)).toBe(true)
    expect(errors.map((error) => [error.code, error.option])[3]).toEqual(['ERR_PEER_PROXY_OPTIONS', 'target.port'])
    expect(errors.map((error) => error.message)).toMatchInlineSnapshot(`
      [
        "invalid proxy option \`options\`: undefined; expected an object with a \`target\`",
        "invalid proxy option \`target\`: undefined; expected { host?: string; port: number }",
        "invalid proxy option \`target\`: 4000; expected { host?: string; port: number }",
        "invalid proxy option \`target.port\`: 0; expected an integer port from 1 to 65535",
        "invalid proxy option \`target.port\`: 65536; expected an integer port from 1 to 65535",
        "invalid proxy option \`target.host\`: ""; expected a non-empty host name or IP address",
        "invalid proxy option \`target.hots\`: "x"; expected one of host, port",
        "invalid proxy option \`port\`: -1; expected an integer port from 0 (any free port) to 65535",
        "invalid proxy option \`port\`: 1.5; expected an integer port from 0 (any free port) to 65535",
        "invalid proxy option \`host\`: 7; expected a non-empty host name or IP address",
        "invalid proxy option \`delay\`: 10; expected one of target, host, port",
      ]
    `)
  })

  test('a port in use: ProxyListenError naming the address', async () => {
    const taken = createServer()
    const port = await listenOn(taken, 0)
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())))
    const error = await rejectionOf(startProxy({ target: { port: 9 }, port }))
    expect(error).toBeInstanceOf(ProxyListenError)
    expect(error).toMatchObject({ code: 'ERR_PEER_PROXY_LISTEN', host: LOOPBACK, port })
    expect((error.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
    expect(error.message.replace(String(port), '<port>')).toMatchInlineSnapshot(
      `"could not listen on tcp 127.0.0.1:<port> for a proxy to 127.0.0.1:9: the address is in use"`,
    )
  })
})

describe('between peers', () => {
  test('a client peer and a server peer: cut resets both, new connections fail, heal restores, delay slows', async () => {
    const [server, client] = await Promise.all([startTracked({ name: 'proxy-server' }), startTracked()])
    // The server peer: answers `pong <request>`, and counts accepted connections and resets.
    const serverPort = await server.evaluate(async () => {
      const net = await import('node:net')
      const state = { accepted: 0, resets: 0 }
      ;(globalThis as { pong?: typeof state }).pong = state
      const listener = net.createServer((socket) => {
        state.accepted++
        socket.setNoDelay(true)
        socket.on('data', (data) => socket.write(`pong ${data}`))
        socket.on('error', () => state.resets++)
      })
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
      return (listener.address() as { port: number }).port
    })
    const proxy = await proxyTo(serverPort)
    // The client peer: one connection at a time (`dial`), one request at a time (`ask`);
    // `whenClosed` resolves with how the connection ended.
    const dialPeer = () =>
      client.evaluate(async (port: number) => {
        const net = await import('node:net')
        const socket = net.connect(port, '127.0.0.1')
        socket.setNoDelay(true)
        const conn = { socket, error: '', closed: false }
        ;(globalThis as { conn?: typeof conn }).conn = conn
        socket.on('error', (error: NodeJS.ErrnoException) => {
          conn.error ||= error.code ?? error.message
        })
        socket.on('close', () => {
          conn.closed = true
        })
        await new Promise((resolve) => socket.once('connect', resolve).once('close', resolve))
      }, proxy.port)
    const ask = (text: string) =>
      client.evaluate(async (text: string) => {
        const { conn } = globalThis as unknown as { conn: { socket: Socket; error: string; closed: boolean } }
        if (conn.closed) return `closed: ${conn.error}`
        return await new Promise<string>((resolve) => {
          conn.socket.once('data', (data) => resolve(String(data)))
          conn.socket.once('close', () => resolve(`closed: ${conn.error}`))
          conn.socket.write(text)
        })
      }, text)
    const whenClosed = () =>
      client.evaluate(async () => {
        const { conn } = globalThis as unknown as { conn: { socket: Socket; error: string; closed: boolean } }
        if (!conn.closed) await new Promise((resolve) => conn.socket.once('close', resolve))
        return `closed: ${conn.error}`
      })
    const serverState = () =>
      server.evaluate(() => (globalThis as { pong?: { accepted: number; resets: number } }).pong)

    await dialPeer()
    expect(await ask('ping')).toBe('pong ping')

    proxy.cut()
    expect(await whenClosed()).toBe('closed: ECONNRESET')
    await dialPeer()
    expect(await whenClosed()).toBe('closed: ECONNRESET')
    // The server's side of the first connection was reset too; the second never reached it.
    await eventually(async () => (await serverState())?.resets === 1, 'the server peer to see the reset')
    expect(await serverState()).toEqual({ accepted: 1, resets: 1 })

    proxy.heal()
    await dialPeer()
    expect(await ask('back')).toBe('pong back')

    proxy.delay(50)
    const start = performance.now()
    expect(await ask('slow')).toBe('pong slow')
    expect(performance.now() - start).toBeGreaterThanOrEqual(100)
    expect(proxy.stats).toMatchObject({ connections: 3, open: 1 })
  })
})
