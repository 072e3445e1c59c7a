// The proxy's overhead: a TCP round trip (4 bytes, echoed by a server in a peer) through
// startProxy, against the same round trip direct to the server, and through a bare `socket.pipe`
// proxy (the mechanism). The client runs in this process (beside the proxy: what the proxy
// itself costs) and in a second peer (peer → origin → peer). Batches interleaved, order rotated.
import { connect, createServer } from 'node:net'
import { startPeer, startProxy } from '@vitest-peer/core'
import { median, rotate, row } from '../lib/stats.mjs'

async function pipeProxy(port) {
  const sockets = new Set()
  const server = createServer({ noDelay: true }, (client) => {
    sockets.add(client)
    const upstream = connect({ port, host: '127.0.0.1', noDelay: true })
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    sockets.add(upstream)
    client.pipe(upstream).pipe(client)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = () => {
    for (const socket of sockets) socket.destroy()
    return new Promise((resolve) => server.close(resolve))
  }
  return { port: server.address().port, close }
}

/** One connection to each port; `benchBatch(port, n)`: n sequential trips, µs each. Runs in a peer too. */
async function installPinger(ports) {
  const net = await import('node:net')
  const pingers = new Map()
  for (const port of ports) {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true })
    await new Promise((resolve) => socket.once('connect', resolve))
    const message = Buffer.from('ping')
    let answered = () => {}
    let received = 0
    socket.on('data', (chunk) => {
      received += chunk.length
      if (received >= message.length) {
        received -= message.length
        answered()
      }
    })
    const trip = () =>
      new Promise((resolve) => {
        answered = resolve
        socket.write(message)
      })
    pingers.set(port, { socket, trip })
  }
  globalThis.benchPingers = pingers
  globalThis.benchBatch = async (port, n) => {
    const { trip } = pingers.get(port)
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) await trip()
    return Number(process.hrtime.bigint() - start) / 1000 / n
  }
}

export default async function proxy({ sizes, log }) {
  const server = await startPeer()
  const client = await startPeer()
  const closers = []
  try {
    const echoPort = await server.evaluate(async () => {
      const net = await import('node:net')
      const listener = net.createServer({ noDelay: true }, (s) => s.on('data', (d) => s.write(d)))
      await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve))
      return listener.address().port
    })
    const engine = await startProxy({ target: { port: echoPort } })
    closers.push(() => engine.close())
    const pipe = await pipeProxy(echoPort)
    closers.push(() => pipe.close())
    const targets = { direct: echoPort, engine: engine.port, pipe: pipe.port }
    const ports = Object.values(targets)
    await client.evaluate(installPinger, ports)
    await installPinger(ports)
    closers.push(() => {
      for (const p of globalThis.benchPingers.values()) p.socket.destroy()
    })
    const layouts = {
      'the origin': (port, n) => globalThis.benchBatch(port, n),
      'a peer': (port, n) => client.evaluate((port, n) => globalThis.benchBatch(port, n), port, n),
    }
    const rows = []
    for (const [layout, batch] of Object.entries(layouts)) {
      for (const port of ports) await batch(port, sizes.warmup / 2)
      const s = { direct: [], engine: [], pipe: [] }
      for (let b = 0; b < sizes.proxyBatches; b++)
        for (const k of rotate(Object.keys(targets), b)) s[k].push(await batch(targets[k], sizes.proxyTrips))
      log(layout, median(s.direct), median(s.engine), median(s.pipe))
      for (const [floor, name] of [
        ['direct', 'direct'],
        ['pipe', '`socket.pipe` proxy'],
      ])
        rows.push(
          row(
            'proxy',
            `TCP round trip via startProxy, client in ${layout}`,
            median(s.engine),
            'µs',
            median(s[floor]),
            name,
          ),
        )
    }
    return rows
  } finally {
    // The client peer first: its connections end with it, and the proxies can then close.
    await client.stop()
    for (const close of closers.reverse()) await close()
    await server.stop()
  }
}
