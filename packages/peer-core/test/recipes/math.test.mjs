// math.test.mjs, run with `node --test`
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startPeer } from '@vitest-peer/core'

test('add runs in another process', async () => {
  const peer = await startPeer({ args: ['--max-old-space-size=128'] })
  try {
    assert.equal(await peer.call('./math.mjs', 'add', [1, 2]), 3) // relative to the peer's cwd
    assert.equal(await peer.evaluate((a, b) => a + b, 1, 2), 3) // a self-contained function, shipped
    peer.kill() // crash it on purpose
    assert.deepEqual(await peer.exited, { cause: 'crashed', exitCode: null, signal: 'SIGKILL' })
  } finally {
    await peer.stop() // idempotent; resolves once the process and its descendants are gone
  }
})
