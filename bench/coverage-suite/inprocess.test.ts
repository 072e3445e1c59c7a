import { expect, test } from 'vitest'
import { CASES } from './cases.js'
import { evaluate } from './src/calc.js'

for (const [source, value] of CASES) {
  test(`in process: ${source}`, () => {
    expect(evaluate(source)).toBe(value)
  })
}
