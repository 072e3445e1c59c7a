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
})
