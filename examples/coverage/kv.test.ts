// The key-value server in src/ runs only inside peers: each test starts it in its peer and talks
// to it over TCP, as a client would; no test imports src/. `pnpm example` runs these tests with
// `vitest run --coverage`, and the report counts src/ (TypeScript) as covered: vitest-peer's
// plugin adds what ran inside the peers to Vitest's coverage.
import { connect } from 'node:net'
import { createInterface } from 'node:readline'
import { expect } from 'vitest'
import { type Peer, test } from 'vitest-peer'

const SERVER = './src/server.js'

/** A line client: `send` writes one command and resolves with the reply line. */
async function client(peer: Peer) {
  const port = await peer.call<number>(SERVER, 'listen', [0])
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const replies: ((line: string) => void)[] = []
  createInterface({ input: socket }).on('line', (line) => replies.shift()?.(line))
  return {
    send: (command: string) =>
      new Promise<string>((resolve) => {
        replies.push(resolve)
        socket.write(`${command}\n`)
      }),
    /** End the connection, then stop the server. */
    close: async () => {
      socket.end()
      await peer.call(SERVER, 'close')
    },
  }
}

test('SET, GET, DEL and KEYS', async ({ peer }) => {
  const kv = await client(peer)
  expect(await kv.send('SET b 2')).toBe('OK')
  expect(await kv.send('set a 1')).toBe('OK')
  expect(await kv.send('GET a')).toBe('1')
  expect(await kv.send('KEYS')).toBe('a b')
  expect(await kv.send('DEL a')).toBe('1')
  expect(await kv.send('DEL a')).toBe('0')
  expect(await kv.send('GET a')).toBe('(nil)')
  await kv.close()
})

test('a malformed command gets an error line, and the connection goes on', async ({ peer }) => {
  const kv = await client(peer)
  expect(await kv.send('SET a')).toBe('ERR SET takes a key and a value')
  expect(await kv.send('GET')).toBe('ERR GET takes a key')
  expect(await kv.send('KEYS a')).toBe('ERR KEYS takes no argument')
  expect(await kv.send('INCR a')).toBe("ERR unknown command 'INCR'")
  expect(await kv.send('SET a 1')).toBe('OK')
  await kv.close()
})

test('close() when the server is not listening', async ({ peer }) => {
  await peer.call(SERVER, 'close')
})
