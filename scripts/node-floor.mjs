// Origin side: @vitest-peer/core on a Node that Vitest cannot run on. Starts one peer over every
// control connection and, in each, makes a call, exchanges messages, evaluates with a 4 MiB
// argument and result (the frames' CRC-32 over real data), relays stdout and stderr, and stops it
// gracefully; exits 1 at the first failure.
//
//   node scripts/node-floor.mjs                       origin and peers on this Node
//   node scripts/node-floor.mjs --peer-node <node>    peers on another Node (e.g. older than the origin)
//
// Needs `pnpm build` (it imports packages/peer-core/dist). `pnpm test:matrix` runs it on the
// lowest Node that @vitest-peer/core's `engines` admits.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values: flags } = parseArgs({ options: { 'peer-node': { type: 'string' } } })
const peerNode = flags['peer-node'] ?? process.execPath
const peerVersion = execFileSync(peerNode, ['--version'], { encoding: 'utf8' }).trim()

const dist = new URL('../packages/peer-core/dist/index.mjs', import.meta.url)
if (!existsSync(dist)) throw new Error(`${dist.pathname} is missing: run \`pnpm build\` first`)
const { startPeer } = await import(dist.href)
const messages = new URL('../fixtures/messages.mjs', import.meta.url)
const output = new URL('../fixtures/output.mjs', import.meta.url)

const connections = ['ipc', 'stdio', { tcp: 0 }, { uds: true }]

/** Throws with `what`, the expected and the actual value when they differ (as JSON). */
function expectEqual(actual, expected, what) {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)]
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}

/** Every check on one connection; the peer is stopped (or killed) whatever happens. */
async function check(connection, dir) {
  const label = typeof connection === 'string' ? connection : Object.keys(connection)[0]
  const started = performance.now()
  const peer = await startPeer({ connection, exec: peerNode, shutdown: 5000 })
  try {
    expectEqual(await peer.evaluate(() => process.version), peerVersion, `${label}: the peer's Node`)
    const crc = await peer.evaluate(async () => typeof (await import('node:zlib')).crc32)
    expectEqual(await peer.call(messages, 'sendAll', [['one', { two: 2 }]]), 2, `${label}: call`)
    expectEqual([await peer.receive(), await peer.receive()], ['one', { two: 2 }], `${label}: origin.send`)
    await peer.call(messages, 'registerEcho', ['echo'])
    peer.send('echo', [3])
    expectEqual(await peer.receive(), { to: 'echo', got: [3] }, `${label}: register`)
    const big = 'é'.repeat(2 * 1024 * 1024) // 4 MiB of UTF-8
    expectEqual(await peer.evaluate((s) => s.length, big), big.length, `${label}: evaluate, 4 MiB argument`)
    const back = await peer.evaluate((n) => 'é'.repeat(n), big.length)
    expectEqual(back === big, true, `${label}: evaluate, 4 MiB result`)
    expectEqual(await peer.call(output, 'mixed'), 'done', `${label}: call`)
    await peer.waitForOutput('five: console.log')
    for (const line of ['one: console.log', 'two: process.stdout.write', 'three: console.error']) {
      expectEqual(peer.output.includes(line), true, `${label}: output relay has "${line}"`)
    }
    const marker = join(dir, label)
    await peer.call(messages, 'addShutdownHook', [marker, label])
    await peer.stop()
    expectEqual(await peer.exited, { cause: 'stopped', exitCode: 0, signal: null }, `${label}: stop`)
    expectEqual(readFileSync(marker, 'utf8'), label, `${label}: onShutdown hook`)
    expectEqual(isGone(peer.pid), true, `${label}: pid ${peer.pid} gone after stop`)
    const ms = Math.round(performance.now() - started)
    const crcNote = crc === 'function' ? 'zlib.crc32' : 'portable CRC-32'
    console.log(`ok ${label}: peer ${peerVersion} (${crcNote}) under origin ${process.version}, ${ms} ms`)
  } finally {
    peer.kill()
    await peer.exited
  }
}

/** No such process (signal 0 fails with ESRCH). */
function isGone(pid) {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return error.code === 'ESRCH'
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vp-node-floor-'))
try {
  for (const connection of connections) await check(connection, dir)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
