// Origin side, 'stdio' connection only: frames share stdout with console text, so the origin's
// decoder must check every frame: a damaged frame is reported, never delivered, and
// the channel goes on working.
import { type PeerProtocolError, PeerProtocolError as ProtocolError } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { fixture, nextEvent, startTracked } from './helpers.js'

const frames = fixture('frames.mjs')
const gate = fixture('gate.mjs')
const messages = fixture('messages.mjs')

describe("the 'stdio' channel", () => {
  test('a hand-made frame with the right CRCs is accepted (the fixture writes real frames)', async () => {
    const peer = await startTracked({ connection: 'stdio' })
    expect(await peer.call(frames, 'writeMessageFrame', ['hand-made', false])).toBe('frame written')
    expect(await peer.receive()).toBe('hand-made')
    expect(peer.diagnostics).toEqual([])
  })

  test('a frame with a bad payload CRC is a diagnostic, never delivered; the channel still works', async () => {
    const peer = await startTracked({ connection: 'stdio' })
    const diagnostic = nextEvent<[PeerProtocolError]>(peer, 'diagnostic')
    expect(await peer.call(frames, 'writeMessageFrame', ['forged', true])).toBe('damaged frame written')
    const [reported] = await diagnostic
    expect(reported).toBeInstanceOf(ProtocolError)
    expect(reported.code).toBe('ERR_PEER_PROTOCOL')
    expect(reported.message).toMatch(/CRC/)
    expect(peer.diagnostics).toEqual([reported])
    // Not delivered: the next message is the oldest in the mailbox.
    await peer.call(messages, 'sendAll', [['after the damaged frame']])
    expect(await peer.receive()).toBe('after the damaged frame')
    // Calls, casts and output keep working.
    expect(await peer.call(gate, 'ping', ['still serving'])).toBe('still serving')
    expect(peer.state).toBe('running')
  })

  test('a forged frame header announcing 1 GiB does not stall the channel: given up once frames follow it', async () => {
    const peer = await startTracked({ connection: 'stdio', name: 'forged-header' })
    const diagnostic = nextEvent<[PeerProtocolError]>(peer, 'diagnostic')
    // The header is written past the runtime; the answer frame comes right after it.
    expect(await peer.call(frames, 'writeForgedHeader', [1024 * 1024 * 1024], { timeout: 15_000 })).toBe(
      'forged header written',
    )
    const [reported] = await diagnostic
    expect(reported.message.split('\n')[0]).toMatchInlineSnapshot(
      `"control connection of peer forged-header: a frame header announced 1073741824 bytes, but complete frames followed it within 1000 ms: not a frame; its 12 bytes are passed on as console text"`,
    )
    // The channel works at once afterwards, and the header's bytes are console text.
    expect(await peer.call(gate, 'ping', ['still serving'])).toBe('still serving')
    expect(peer.output).toContain('\uFFFDVP\u0001')
  })
})
