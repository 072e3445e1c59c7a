// Small statistics and helpers shared by the bench sections.
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Nearest-rank percentile, `p` in (0, 100]. */
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]
}

export const now = () => performance.now()

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Rotate `list` by `i` places, so that no item always follows the same one. */
export const rotate = (list, i) => list.map((_, k) => list[(k + i) % list.length])

/**
 * A result row: `value` (the engine's figure) beside `floor` (the mechanism it is compared
 * with, measured in the same run). `goal` is a target on `ratio` ({ max } or { min }), or on
 * `value` itself when `on: 'value'`.
 */
export function row(section, what, value, unit, floor, floorName, goal, extra = {}) {
  const ratio = floor ? value / floor : undefined
  const subject = goal?.on === 'value' ? value : goal?.on === 'diff' ? value - floor : ratio
  let met
  if (goal && subject !== undefined)
    met = goal.max !== undefined ? subject <= goal.max : goal.min !== undefined ? subject >= goal.min : undefined
  return { section, what, value, unit, floor, floorName, ratio, goal, met, ...extra }
}
