// Origin side: the messages of the engine's errors, pinned (a worse message is a visible diff).
// Each names the other side and what it was doing, with the context a user needs: peer name, pid,
// command line, exit status, output tail. Machine-specific parts are normalised.
import { type Peer, PeerBootError, PeerCloneError, PeerDownError, PeerTimeoutError, startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { fixture, fixturesDir, rejectionOf, startTracked } from './helpers.js'

const gate = fixture('gate.mjs')
const values = fixture('values.mjs')
const repo = fixturesDir.replace(/fixtures\/$/, '')

/** The message with this run's pid, paths and command line replaced by placeholders. */
function normalise(message: string, peer?: { pid: number; command: string }): string {
  let text = message
  if (peer) text = text.replaceAll(peer.command, '<command>').replaceAll(String(peer.pid), '<pid>')
  return text
    .replaceAll(repo, '<repo>/')
    .replaceAll(process.execPath, '<node>')
    .replace(/pid \d+/g, 'pid <pid>')
}

describe('error messages', () => {
  test('PeerBootError: a peer that died while booting, with its exit code and output', async () => {
    const error = await rejectionOf(startPeer({ name: 'boot-fails', args: ['--no-such-flag'] }))
    expect(error).toBeInstanceOf(PeerBootError)
    expect(
      normalise(error.message, { pid: error.pid as number, command: error.command as string }),
    ).toMatchInlineSnapshot(`
        "peer boot-fails exited while booting
          peer:    boot-fails (pid <pid>)
          command: <command>
          output (last lines):
            <node>: bad option: --no-such-flag"
      `)
  })

  test('PeerTimeoutError: a call that took too long names the call, the peer and its output', async () => {
    const peer = await startTracked({ name: 'slow-call' })
    await peer.evaluate(() => console.log('working on it'))
    const error = await rejectionOf(peer.call(gate, 'never', ['arg'], { timeout: 50 }))
    expect(error).toBeInstanceOf(PeerTimeoutError)
    // The class documents `output` as the last lines the peer printed.
    expect(error.output).toContain('working on it')
    expect(normalise(error.message, peer)).toMatchInlineSnapshot(`
      "call <repo>/fixtures/gate.mjs#never timed out after 50 ms
        peer:    slow-call (pid <pid>)
        command: <command>
        output (last lines):
          working on it"
    `)
  })

  test('PeerTimeoutError: receive and waitForOutput', async () => {
    const peer = await startTracked({ name: 'waiting' })
    const receive = await rejectionOf(peer.receive(undefined, { timeout: 20 }))
    expect(normalise(receive.message, peer)).toMatchInlineSnapshot(`
      "receive timed out after 20 ms
        peer:    waiting (pid <pid>)
        command: <command>
        queued:  no message"
    `)
    // Messages the predicate did not take: how many, and the first few.
    await peer.call(fixture('messages.mjs'), 'sendAll', [[{ id: 1 }, 'two', [3], { id: 4 }, 5]])
    const unmatched = await rejectionOf(peer.receive((m) => m === 'six', { timeout: 20 }))
    expect(normalise(unmatched.message, peer)).toMatchInlineSnapshot(`
      "receive timed out after 20 ms
        peer:    waiting (pid <pid>)
        command: <command>
        queued:  5 messages the predicate did not accept:
          { id: 1 }
          'two'
          [ 3 ]
          … and 2 more"
    `)
    const output = await rejectionOf(peer.waitForOutput(/ready on port \d+/, { timeout: 20 }))
    expect(normalise(output.message, peer)).toMatchInlineSnapshot(`
      "waitForOutput(/ready on port \\d+/) timed out after 20 ms
        peer:    waiting (pid <pid>)
        command: <command>"
    `)
  })

  test('PeerDownError: a call pending when the peer was killed', async () => {
    const peer: Peer = await startTracked({ name: 'killed' })
    await peer.evaluate(() => console.log('about to be killed'))
    const pending = rejectionOf(peer.call(gate, 'never', [], { timeout: 60_000 }))
    peer.kill()
    const error = await pending
    expect(error).toBeInstanceOf(PeerDownError)
    expect(error.output).toContain('about to be killed')
    expect(normalise(error.message, peer)).toMatchInlineSnapshot(`
      "call <repo>/fixtures/gate.mjs#never: killed by SIGKILL
        peer:    killed (pid <pid>)
        command: <command>
        output (last lines):
          about to be killed"
    `)
    const later = await rejectionOf(peer.call('node:os', 'hostname'))
    expect(later.output).toContain('about to be killed')
    expect(normalise(later.message, peer)).toMatchInlineSnapshot(`
      "call node:os#hostname: killed by SIGKILL
        peer:    killed (pid <pid>)
        command: <command>
        output (last lines):
          about to be killed"
    `)
  })

  test('PeerCloneError: names the call and what could not be cloned', async () => {
    const peer = await startTracked({ name: 'clone' })
    const error = await rejectionOf(peer.call(values, 'echo', [{ callback: () => 1 }]))
    expect(error).toBeInstanceOf(PeerCloneError)
    expect(normalise(error.message, peer)).toMatchInlineSnapshot(
      `"call <repo>/fixtures/values.mjs#echo: a value cannot be sent to peer clone (() => 1 could not be cloned.); nothing was sent"`,
    )
  })

  test('evaluate: a function that closes over a variable of the test says it must be self-contained', async () => {
    const peer = await startTracked({ name: 'closure' })
    const local = 41
    const error = await rejectionOf(peer.evaluate(() => local + 1))
    expect(error.name).toBe('ReferenceError')
    expect(error.message).toMatchInlineSnapshot(`
      "local is not defined
      evaluate() runs its function in the peer, where the variables around it in the test do not exist: the function must be self-contained (pass values as arguments: peer.evaluate((value) => …, value))"
    `)
  })

  test('errors carry only the context that applies', async () => {
    const error = await rejectionOf(startPeer({ connection: 'carrier-pigeon' as never }))
    expect(Object.keys(error).sort()).toEqual(['code', 'option', 'value'])
    expect('peer' in error || 'pid' in error || 'command' in error || 'state' in error).toBe(false)
  })
})
