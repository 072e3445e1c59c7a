// Origin side: the peer's console (`output`): relayed in order with replies,
// UTF-8 intact, bounded, searchable with waitForOutput, never able to disturb the connection.

import { type OutputStream, PeerDownError, PeerTimeoutError } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { OUTPUT_LIMIT_CHARS } from '../src/constants.js'
import { connectionCases } from './connections.js'
import { fixture, fixtureUrl, rejectionOf, startTracked } from './helpers.js'

const output = fixture('output.mjs')

/** The text of the 'output' events of one stream, in order. */
function textOf(events: [string, OutputStream][], stream: OutputStream): string {
  return events
    .filter(([, s]) => s === stream)
    .map(([text]) => text)
    .join('')
}

describe.each(connectionCases)('output over $label', ({ connection }) => {
  test("console.log, process.stdout.write and console.error arrive in order, with 'output' events per stream", async () => {
    const peer = await startTracked({ connection })
    const events: [string, OutputStream][] = []
    peer.on('output', (text: string, stream: OutputStream) => events.push([text, stream]))
    expect(await peer.call(output, 'mixed')).toBe('done')
    const expected = [
      'one: console.log\n',
      'two: process.stdout.write\n',
      'three: console.error\n',
      'four: process.stderr.write\n',
      'five: console.log\n',
    ].join('')
    expect(peer.output).toContain(expected)
    const byStream = (s: OutputStream) => textOf(events, s)
    expect(byStream('stdout')).toContain('one: console.log\ntwo: process.stdout.write\nfive: console.log\n')
    expect(byStream('stderr')).toContain('three: console.error\nfour: process.stderr.write\n')
    expect(events.map(([text]) => text).join('')).toContain(expected)
  })

  test('each line is in output before the reply of the call that printed it (500 concurrent calls)', async () => {
    const peer = await startTracked({ connection })
    const late: number[] = []
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        peer.call(output, 'logThenReturn', [i]).then((reply) => {
          expect(reply).toBe(i)
          if (!peer.output.includes(`line ${i}\n`)) late.push(i)
        }),
      ),
    )
    expect(late).toEqual([])
  })

  test('the same, one call after the other', async () => {
    const peer = await startTracked({ connection })
    for (let i = 0; i < 500; i++) {
      await peer.call(output, 'logThenReturn', [i])
      expect(peer.output.endsWith(`line ${i}\n`)).toBe(true)
    }
  })

  test('UTF-8 stays intact: é, こ, emoji, U+FFFD, on stdout and stderr', async () => {
    const peer = await startTracked({ connection })
    const text = 'café こんにちは 😀👍🏽 \uFFFD Ω 日本 한 € ✓'
    await peer.call(output, 'print', [text])
    await peer.evaluate((t: string) => console.error(t), `err: ${text}`)
    expect(peer.output).toContain(`${text}\n`)
    expect(peer.output).toContain(`err: ${text}\n`)
  })

  test('multi-byte characters split across two process.stdout.write calls of Buffers', async () => {
    const peer = await startTracked({ connection })
    const text = 'é-こ-😀-\uFFFD'
    const cuts = (await peer.call(output, 'writeSplit', [text, 'stdout'])) as number
    await peer.call(output, 'writeSplit', [text, 'stderr'])
    const lines = peer.output.split('\n').filter((line) => line === text)
    expect(lines).toHaveLength(2 * cuts)
    expect(peer.output).not.toContain('\uFFFD\uFFFD')
  })

  test('waitForOutput: a string or a RegExp, including lines printed before the call', async () => {
    const peer = await startTracked({ connection })
    await peer.call(output, 'print', ['server listening on port 4321', 'second line'])
    expect(await peer.waitForOutput('listening on')).toBe('server listening on port 4321')
    expect(await peer.waitForOutput(/port (\d+)/)).toBe('server listening on port 4321')
    expect(await peer.waitForOutput(/^second/)).toBe('second line')
  })

  test('waitForOutput: a RegExp with the g or y flag gives the same answer every time', async () => {
    const peer = await startTracked({ connection })
    await peer.call(output, 'print', ['ready one', 'ready two'])
    const global = /ready/g
    expect(await peer.waitForOutput(global)).toBe('ready one')
    expect(await peer.waitForOutput(global)).toBe('ready one')
    const sticky = /ready/y
    expect(await peer.waitForOutput(sticky)).toBe('ready one')
    expect(await peer.waitForOutput(sticky)).toBe('ready one')
  })

  test('waitForOutput: lines printed after the call, and on stderr', async () => {
    const peer = await startTracked({ connection })
    const waiting = peer.waitForOutput(/ready after \d+/)
    const onStderr = peer.waitForOutput('stderr says hi')
    peer.cast(output, 'print', ['not this one', 'ready after 3 tries'])
    void peer.evaluate(() => console.error('stderr says hi'))
    expect(await waiting).toBe('ready after 3 tries')
    expect(await onStderr).toBe('stderr says hi')
  })

  test('waitForOutput: a timeout rejects with PeerTimeoutError, a peer that goes down with PeerDownError', async () => {
    const peer = await startTracked({ connection })
    const error = await rejectionOf(peer.waitForOutput('never printed', { timeout: 50 }))
    expect(error).toBeInstanceOf(PeerTimeoutError)
    expect(error).toMatchObject({ code: 'ERR_PEER_TIMEOUT', timeout: 50 })
    const pending = rejectionOf(peer.waitForOutput(/never/, { timeout: 600_000 }))
    peer.kill()
    expect(await pending).toBeInstanceOf(PeerDownError)
  })

  test('outputTail(n): the last n lines (20 by default)', async () => {
    const peer = await startTracked({ connection })
    await peer.call(
      output,
      'print',
      Array.from({ length: 30 }, (_, i) => `tail line ${i}`),
    )
    const lastLines = (text: string) => text.replace(/\n$/, '').split('\n')
    expect(lastLines(peer.outputTail(3))).toEqual(['tail line 27', 'tail line 28', 'tail line 29'])
    expect(lastLines(peer.outputTail())).toEqual(Array.from({ length: 20 }, (_, i) => `tail line ${i + 10}`))
  })

  test('the buffer is bounded: past 1 MiB the oldest text is dropped, and marked', async () => {
    const peer = await startTracked({ connection })
    await peer.call(output, 'print', ['FIRST LINE'])
    const lines = (await peer.call(output, 'flood', [OUTPUT_LIMIT_CHARS + 512 * 1024])) as number
    await peer.waitForOutput('END OF FLOOD')
    const text = peer.output
    expect(text.length).toBeLessThanOrEqual(OUTPUT_LIMIT_CHARS + 1024)
    expect(text.length).toBeGreaterThan(OUTPUT_LIMIT_CHARS / 2)
    expect(text).not.toContain('FIRST LINE')
    expect(text).not.toContain('flood line 000000\n')
    expect(text).toContain(`flood line ${String(lines - 1).padStart(6, '0')}\nEND OF FLOOD\n`)
    // A marker at the start says how much was dropped: dropped + kept = everything printed.
    const marker = /^\[[^\n]*?(\d+)[^\n]*dropped[^\n]*\]\n/.exec(text)
    expect(marker, `no drop marker at the start of: ${text.slice(0, 80)}`).not.toBeNull()
    const printed = 'FIRST LINE\n'.length + lines * 'flood line 000000\n'.length + 'END OF FLOOD\n'.length
    expect(Number(marker?.[1]) + text.length - (marker?.[0].length ?? 0)).toBe(printed)
    // Still serving, and still relaying.
    await peer.call(output, 'print', ['after the flood'])
    expect(peer.output.endsWith('after the flood\n')).toBe(true)
  })

  test('output printed while the peer boots (an --import module) is captured', async () => {
    const peer = await startTracked({ connection, args: ['--import', fixtureUrl('preload.mjs').href] })
    expect(await peer.waitForOutput('preloaded before')).toBe('preloaded before the runtime')
    expect(await peer.waitForOutput('preloaded on')).toBe('preloaded on stderr')
  })

  test('raw writes on fd 1 and fd 2: UTF-8 split across writes stays intact, streams are told apart', async () => {
    const peer = await startTracked({ connection })
    const events: [string, OutputStream][] = []
    peer.on('output', (text: string, stream: OutputStream) => events.push([text, stream]))
    expect(await peer.call(output, 'writeRawSplit')).toBe('written')
    await peer.waitForOutput('raw done')
    await peer.waitForOutput('raw stderr line')
    expect(peer.output).toContain('raw split: é こ 😀\nraw done\n')
    const stream = (s: OutputStream) => textOf(events, s)
    expect(stream('stdout')).toContain('raw split: é こ 😀\n')
    expect(stream('stderr')).toContain('raw stderr line\n')
    expect(stream('stdout')).not.toContain('raw stderr line')
  })

  test("a grandchild's output (stdio inherited from the peer) is captured too", async () => {
    const peer = await startTracked({ connection })
    await peer.evaluate(async () => {
      const { spawnSync } = await import('node:child_process')
      spawnSync('sh', ['-c', 'echo grandchild on stdout; echo grandchild on stderr >&2'], { stdio: 'inherit' })
    })
    expect(await peer.waitForOutput('grandchild on stdout')).toBe('grandchild on stdout')
    expect(await peer.waitForOutput('grandchild on stderr')).toBe('grandchild on stderr')
    expect(await peer.call(output, 'logThenReturn', [7])).toBe(7)
  })

  test('raw output (write(2) on fd 1) while a large reply is still being written does not break it', async () => {
    // Native code and --trace-gc print on fd 1 whenever they like; on 'stdio' that is the
    // channel, so such bytes may arrive while a frame is only partly written.
    const peer = await startTracked({ connection })
    const size = 4 * 1024 * 1024
    for (let round = 0; round < 3; round++) {
      const reply = (await peer.call(fixture('interleave.mjs'), 'bigReplyThenRawWrites', [size, 5], {
        timeout: 15_000,
      })) as Buffer
      expect(reply.length).toBe(size)
    }
    await peer.waitForOutput('native line 4')
    expect(peer.diagnostics).toEqual([])
  })

  test('raw bytes written with write(2) past JavaScript (0xC0-0xFF, frame-magic lookalikes) do not disturb calls', async () => {
    const peer = await startTracked({ connection })
    expect(await peer.call(output, 'writeRawBytes')).toBe('written')
    expect(await peer.call(output, 'logThenReturn', [1])).toBe(1)
    await peer.waitForOutput('tail')
    const text = peer.output
    expect(text).toContain(`raw[${'\uFFFD'.repeat(64)}]raw\n`)
    expect(text).toContain('before\uFFFDVP\u0001after\n')
    expect(text).toContain(`zeros\uFFFDVP\u0001${'\u0000'.repeat(8)}tail\n`)
    // More calls and output afterwards.
    for (let i = 2; i < 20; i++) expect(await peer.call(output, 'logThenReturn', [i])).toBe(i)
    expect(peer.output).toContain('line 19\n')
    expect(peer.diagnostics).toEqual([])
  })
})
