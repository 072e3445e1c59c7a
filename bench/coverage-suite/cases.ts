// The 20 cases both test files run.
export const CASES: [string, number][] = Array.from({ length: 20 }, (_, i) => [
  `(${i} + 2) * 3 - ${i} / 2`,
  (i + 2) * 3 - i / 2,
])
