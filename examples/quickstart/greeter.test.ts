import { expect } from 'vitest'
import { test } from 'vitest-peer'

test('greet() runs inside a peer', async ({ peer }) => {
  // `peer` is a Node.js process of this test's own, started on first use, stopped when the test ends.
  // call: import('./src/greeter.ts').greet('world') inside the peer (paths are relative to this file).
  const greeting = await peer.call('./src/greeter.ts', 'greet', ['world'])
  expect(greeting).toEqual({ text: 'Hello, world!', pid: peer.pid })

  // evaluate: a self-contained function shipped to the peer, run there, its result sent back.
  expect(await peer.evaluate((a, b) => a * b, 6, 7)).toBe(42)
  expect(await peer.evaluate(() => process.pid)).not.toBe(process.pid)

  // The peer's console output reaches the test (and shows under it in Vitest's output).
  expect(await peer.waitForOutput('greeting')).toBe('greeting world')
})
