// pnpm bench: the engine against the raw mechanism, measured in the same run, reported as ratios.
// - boot: startPeer() until running, against a bare `node` child spawned until its ready signal
//   (first IPC message, or first stdout byte), both started the same way (same env, setpriv or not).
// - call: peer.call('node:os', 'platform') round trip, against a raw request/response on the
//   same channel (IPC advanced, or length-prefixed v8 frames over stdio).
// - proxy: a TCP round trip (4 bytes, echoed) through startProxy against the same round trip
//   direct to the echo server, and through a bare `socket.pipe` proxy for reference. The echo
//   server runs in a peer; the client runs in this process (beside the proxy: what the proxy
//   itself costs) and in a second peer (peer → origin → peer: two more process wake-ups).
// Samples alternate engine/raw so that machine noise hits both alike; ratios are of medians.
// - coverage (coverage.mjs, after the table; BENCH_COVERAGE=0 skips it): a suite of 20 peer tests
//   with and without `vitest run --coverage`, against the same suite run in process.
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { connect, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { deserialize, serialize } from 'node:v8'
import { startPeer, startProxy } from '@vitest-peer/core'

const BOOTS = Number(process.env.BENCH_BOOTS ?? 20)
const CALLS = Number(process.env.BENCH_CALLS ?? 5000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const PROXY_TRIPS = Number(process.env.BENCH_PROXY_TRIPS ?? 500)
const PROXY_BATCHES = Number(process.env.BENCH_PROXY_BATCHES ?? 20)
const RAW_CHILD = fileURLToPath(new URL('./raw-child.cjs', import.meta.url))
const connections = (process.env.BENCH_CONNECTIONS ?? 'ipc,stdio').split(',').filter(Boolean)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/**
 * The raw child's program prefix: on Linux with util-linux, `setpriv --pdeathsig KILL -- node`
 * (the parent-death signal of the link), else `node`. The engine spawns a `detached: false` peer
 * through `perl -e` instead (the same signal, and a process group of its own, so that its
 * descendants end with it); what that costs more counts as the engine's.
 */
function enginePrefix() {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
  const linked = process.platform === 'linux' && setpriv && process.env.VITEST_PEER_NO_PDEATHSIG === undefined
  return linked ? [setpriv, '--pdeathsig', 'KILL', '--', process.execPath] : [process.execPath]
}

/** A bare child with the same program prefix the engine uses. */
function rawSpawn(mode, prefix) {
  const [exec, ...pre] = prefix
  const stdio = mode === 'ipc' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe']
  return spawn(exec, [...pre, RAW_CHILD, mode], { stdio, serialization: 'advanced' })
}

function rawReady(child, mode) {
  return new Promise((resolve) => {
    if (mode === 'ipc') child.once('message', () => resolve())
    else child.stdout.once('data', () => resolve())
  })
}

function rawClient(child, mode) {
  const pending = new Map()
  let next = 0
  if (mode === 'ipc') {
    child.on('message', (m) => pending.get(m.id)?.(m.r))
  } else {
    let buf = Buffer.alloc(0)
    child.stdout.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0)
        if (buf.length < 4 + len) break
        const m = deserialize(buf.subarray(4, 4 + len))
        pending.get(m.id)?.(m.r)
        buf = buf.subarray(4 + len)
      }
    })
  }
  return () =>
    new Promise((resolve) => {
      const id = ++next
      pending.set(id, (r) => {
        pending.delete(id)
        resolve(r)
      })
      const msg = { id, op: 'call', m: 'node:os', f: 'platform', a: [] }
      if (mode === 'ipc') child.send(msg)
      else {
        const body = serialize(msg)
        const head = Buffer.allocUnsafe(4)
        head.writeUInt32BE(body.length)
        child.stdin.write(Buffer.concat([head, body]))
      }
    })
}

async function timeCalls(fn, n) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn()
  return Number(process.hrtime.bigint() - t) / 1000 / n
}

async function benchConnection(connection) {
  const prefix = enginePrefix()

  const boot = { engine: [], raw: [] }
  for (let i = 0; i < BOOTS + 2; i++) {
    const order = i % 2 === 0 ? ['engine', 'raw'] : ['raw', 'engine']
    for (const which of order) {
      const t = performance.now()
      if (which === 'engine') {
        const peer = await startPeer({ connection })
        const ms = performance.now() - t
        await peer.stop()
        if (i >= 2) boot.engine.push(ms)
      } else {
        const child = rawSpawn(connection, prefix)
        await rawReady(child, connection)
        const ms = performance.now() - t
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGKILL')
        await gone
        if (i >= 2) boot.raw.push(ms)
      }
    }
  }

  const peer = await startPeer({ connection })
  const child = rawSpawn(connection, prefix)
  await rawReady(child, connection)
  const raw = rawClient(child, connection)
  const engineCall = () => peer.call('node:os', 'platform')
  await timeCalls(engineCall, WARMUP)
  await timeCalls(raw, WARMUP)
  const call = { engine: [], raw: [] }
  for (let r = 0; r < ROUNDS; r++) {
    call.engine.push(await timeCalls(engineCall, CALLS))
    call.raw.push(await timeCalls(raw, CALLS))
  }
  await peer.stop()
  child.kill('SIGKILL')

  return {
    connection,
    bootEngineMs: median(boot.engine),
    bootRawMs: median(boot.raw),
    bootRatio: median(boot.engine) / median(boot.raw),
    callEngineUs: median(call.engine),
    callRawUs: median(call.raw),
    callRatio: median(call.engine) / median(call.raw),
  }
}

/** A bare proxy, `socket.pipe` both ways: the mechanism startProxy is measured against. */
async function pipeProxy(port) {
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ port, host: '127.0.0.1', noDelay: true })
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.pipe(upstream).pipe(client)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) }
}

/**
 * Opens one connection to each port, then `batch(port, n)` makes n sequential round trips on it
 * and returns µs per trip. Self-contained: it also runs inside a peer (`evaluate`).
 */
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

async function benchProxy() {
  const server = await startPeer()
  const echoPort = await server.evaluate(async () => {
    const net = await import('node:net')
    const listener = net.createServer({ noDelay: true }, (socket) => socket.on('data', (data) => socket.write(data)))
    await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve))
    return listener.address().port
  })
  const proxy = await startProxy({ target: { port: echoPort } })
  const pipe = await pipeProxy(echoPort)
  const targets = { direct: echoPort, engine: proxy.port, pipe: pipe.port }
  const ports = Object.values(targets)

  const client = await startPeer()
  await client.evaluate(installPinger, ports)
  await installPinger(ports)
  const layouts = {
    origin: (port, n) => globalThis.benchBatch(port, n),
    peer: (port, n) => client.evaluate((port, n) => globalThis.benchBatch(port, n), port, n),
  }

  const rows = []
  for (const [layout, batch] of Object.entries(layouts)) {
    for (const port of ports) await batch(port, WARMUP)
    const samples = { direct: [], engine: [], pipe: [] }
    for (let b = 0; b < PROXY_BATCHES; b++) {
      // Rotate the order so that no target always follows the same one.
      const order = Object.keys(targets)
      for (let r = 0; r < b % order.length; r++) order.push(order.shift())
      for (const which of order) samples[which].push(await batch(targets[which], PROXY_TRIPS))
    }
    const [direct, engine, piped] = [median(samples.direct), median(samples.engine), median(samples.pipe)]
    rows.push({
      layout,
      directUs: direct,
      engineUs: engine,
      pipeUs: piped,
      ratio: engine / direct,
      vsPipe: engine / piped,
    })
  }
  for (const socketEntry of globalThis.benchPingers.values()) socketEntry.socket.destroy()
  await client.stop()
  await proxy.close()
  await pipe.close()
  await server.stop()
  return rows
}

const rows = []
for (const connection of connections) rows.push(await benchConnection(connection))
const proxyRows = process.env.BENCH_PROXY === '0' ? [] : await benchProxy()
if (rows.length > 0) {
  console.log(`\nvitest-peer bench (${BOOTS} boots, ${ROUNDS}×${CALLS} calls after ${WARMUP} warm-up; medians)\n`)
  console.log(
    '| connection | boot engine ms | boot raw ms | boot ratio (goal ≤ 1.10) | call engine µs | call raw µs | call ratio (goal ≤ 1.25) |',
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.connection} | ${r.bootEngineMs.toFixed(1)} | ${r.bootRawMs.toFixed(1)} | ${r.bootRatio.toFixed(2)} | ${r.callEngineUs.toFixed(1)} | ${r.callRawUs.toFixed(1)} | ${r.callRatio.toFixed(2)} |`,
    )
  }
}
if (proxyRows.length > 0) {
  console.log(
    `\nstartProxy round trip (${PROXY_BATCHES}×${PROXY_TRIPS} trips of 4 bytes after ${WARMUP} warm-up; medians)\n`,
  )
  console.log(
    '| client in | direct µs | startProxy µs | ratio (goal ≤ 1.5) | socket.pipe proxy µs | startProxy / socket.pipe |',
  )
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const r of proxyRows) {
    console.log(
      `| ${r.layout === 'origin' ? 'the origin (beside the proxy)' : 'a peer'} | ${r.directUs.toFixed(1)} | ${r.engineUs.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.pipeUs.toFixed(1)} | ${r.vsPipe.toFixed(2)} |`,
    )
  }
}
if (process.env.BENCH_JSON) {
  console.log(JSON.stringify(rows))
  if (proxyRows.length > 0) console.log(JSON.stringify(proxyRows))
}
if (process.env.BENCH_COVERAGE !== '0') await import('./coverage.mjs')
