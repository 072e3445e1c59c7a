// Hostile input. From inside the peer: malformed messages in sound frames (IPC: process.send),
// which the origin refuses one by one and goes on serving; then damage to the byte stream itself:
// on 'stdio' random bytes are console text, on a socket they end the connection and the peer
// halts (a reliable stream that carries junk cannot be trusted further). From outside: rogue
// clients on the TCP and Unix-socket listeners while the real peer is held back. The origin must
// live through all of it, report each refusal, and run nothing a rogue sent.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PeerDownError } from '@vitest-peer/core'
import { describe, test } from 'vitest'
import {
  addressOf,
  CHALLENGE_BYTES,
  closed,
  diagnostics,
  dial,
  forgedCall,
  gatedPeer,
  readBytes,
  scratchDir,
} from '../../packages/peer-core/test/helpers/sockets.js'
import { connections, labels, socketConnections } from '../helpers/connections.js'
import { Figures } from '../helpers/figures.js'
import { rejectionOf, startOwned, within } from '../helpers/peers.js'

const run = promisify(execFile)
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))
const JUNK = fileURLToPath(new URL('../peers/junk.mjs', import.meta.url))
const TRIALS = 3
/** From the junk to its diagnostic, or to the peer's halt. */
const BOUND_MS = 5_000

/** How many malformed messages fixtures/junk-messages.mjs holds (one diagnostic each). */
const JUNK_COUNT = 10

describe('junk from inside the peer', () => {
  test('malformed messages are refused one by one; the origin keeps serving', async () => {
    const figures = new Figures(
      'junk messages from inside the peer',
      labels(connections),
      'junk → all refused, served',
      BOUND_MS,
    )
    for (const { label, connection } of connections) {
      for (let i = 0; i < TRIALS; i++) {
        const t0 = performance.now()
        let problem: string | undefined
        if (label === 'ipc' || label === 'stdio') {
          // fixtures/junk-origin.mjs: an origin process of its own that prints what it refused.
          const { stdout } = await run(process.execPath, [fixture('junk-origin.mjs'), JSON.stringify(connection)])
          const report = JSON.parse(stdout)
          if (report.diagnostics.length !== JUNK_COUNT || report.served !== 'serving')
            problem = `${label}: ${report.diagnostics.length} refused, served ${report.served}`
        } else {
          const peer = await startOwned({ connection })
          const sent = await peer.call(JUNK, 'socketMessages')
          const refused = await within(diagnostics(peer, JUNK_COUNT), BOUND_MS, 'the refusals')
          const served = await peer.call('node:path', 'basename', ['/still/serving'])
          if (sent !== JUNK_COUNT || refused.length !== JUNK_COUNT || served !== 'serving')
            problem = `${label}: ${refused.length} refused, served ${served}`
        }
        figures.trial(performance.now() - t0, problem)
      }
    }
    figures.done()
  })

  test("damage to the byte stream: text on 'stdio', the end of the connection on a socket", async () => {
    const cases = connections.filter((c) => c.label !== 'ipc')
    const figures = new Figures(
      'junk bytes on the control stream from inside the peer',
      labels(cases),
      'junk → handled',
      BOUND_MS,
    )
    for (const { label, connection } of cases) {
      for (let i = 0; i < TRIALS; i++) {
        const peer = await startOwned({ connection })
        const t0 = performance.now()
        let problem: string | undefined
        if (label === 'stdio') {
          // Every byte 0xC0-0xFF, lone frame magics, a forged frame header, then 64 KiB of noise.
          await peer.call(fixture('output.mjs'), 'writeRawBytes')
          await peer.call(fixture('frames.mjs'), 'writeForgedHeader', [1 << 20])
          await peer.call(JUNK, 'stdoutBytes', [64 * 1024])
          const served = await peer.call('node:path', 'basename', ['/still/serving'])
          if (served !== 'serving' || peer.state !== 'running') problem = `${label}: not serving after the junk`
        } else {
          const pending = peer.call(fixture('gate.mjs'), 'never', [], { timeout: BOUND_MS * 2 })
          peer.cast(JUNK, 'socketBytes', [4096])
          const error = await rejectionOf(pending)
          const reason = await peer.exited
          const [first] = peer.diagnostics
          if (!(error instanceof PeerDownError) || reason.cause !== 'crashed' || first === undefined)
            problem = `${label}: ${error?.message.split('\n')[0]}; ${JSON.stringify(reason)}; ${peer.diagnostics.length} diagnostics`
        }
        figures.trial(performance.now() - t0, problem)
      }
    }
    figures.extra(
      'notRun',
      "ipc: Node's own IPC parser reads the channel; bytes past it are out of reach (see RELIABILITY.md)",
    )
    figures.done()
  })
})

describe('rogue clients on the listener', () => {
  test('are refused and reported; nothing they send runs; the real peer boots and serves', async () => {
    const figures = new Figures(
      'rogue clients on the TCP/UDS listener (20 per trial)',
      labels(socketConnections),
      'rogues → peer serving',
      BOUND_MS,
    )
    for (const { label, connection } of socketConnections) {
      for (let i = 0; i < TRIALS; i++) {
        const dir = scratchDir()
        const marker = join(dir, 'marker')
        const { peer, release } = await gatedPeer(connection, dir)
        const address = addressOf(peer.argv)
        const t0 = performance.now()
        const rogues: Promise<void>[] = []
        for (let r = 0; r < 4; r++) {
          rogues.push(
            (async () => {
              const garbage = dial(address)
              garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
              await closed(garbage)
            })(),
            (async () => {
              const caller = dial(address)
              await readBytes(caller, CHALLENGE_BYTES)
              caller.write(forgedCall(marker))
              await closed(caller)
            })(),
            (async () => {
              // A handshake frame header that announces 1 GiB.
              const big = dial(address)
              await readBytes(big, CHALLENGE_BYTES)
              big.write(Buffer.from([0xf5, 0x56, 0x50, 0x01, 0x40, 0, 0, 0, 0, 0, 0, 0]))
              await closed(big)
            })(),
            (async () => {
              const noise = dial(address)
              noise.write(Buffer.alloc(256 * 1024, 0xf5))
              await closed(noise)
            })(),
            (async () => {
              const reset = dial(address)
              reset.destroy()
            })(),
          )
        }
        await Promise.all(rogues)
        const refused = await within(diagnostics(peer, 16), BOUND_MS, 'the refusals')
        await release()
        const served = await peer.evaluate(() => 'serving')
        let problem: string | undefined
        if (existsSync(marker)) problem = `${label}: a rogue's call ran`
        else if (served !== 'serving') problem = `${label}: the real peer does not serve`
        else if (refused.length < 16) problem = `${label}: ${refused.length} refusals reported`
        figures.trial(performance.now() - t0, problem)
        await peer.stop()
      }
    }
    figures.done()
  })
})
