import { expect } from 'vitest'
import { test } from 'vitest-peer'
import { CASES } from './cases.js'

for (const [source, value] of CASES) {
  test(`in a peer: ${source}`, async ({ peer }) => {
    expect(await peer.call('./src/calc.js', 'evaluate', [source])).toBe(value)
  })
}
