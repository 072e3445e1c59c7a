// Fails on purpose: the peer crashes in the middle of a call, and the test shows what vitest-peer
// reports about it. ../report.test.ts runs this file in a child Vitest and checks the report.
import { expect } from 'vitest'
import { test } from 'vitest-peer'

test('the worker makes every thumbnail', async ({ startPeer }) => {
  const worker = await startPeer({ env: { JOB_QUEUE: 'thumbnails', API_TOKEN: 'hunter2' } })
  expect(await worker.call('./worker.ts', 'runJobs', [['cat.jpg', 'dog.png', 'party.gif', 'sea.jpg']])).toBe(4)
})
