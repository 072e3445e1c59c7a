// Both sides: which TypeScript transpiler a peer's loader uses. vitest-peer ships none: it uses
// the one Vite already brings (Vite 8: rolldown's oxc `transformSync`; Vite 6/7: esbuild). Workers
// hand it to their peers; the Vitest main process finds the same one to read the peers' coverage.
import { createRequire } from 'node:module'

export interface Transpiler {
  kind: 'rolldown' | 'esbuild'
  /** Absolute path of the module to import. */
  path: string
}

let cached: Transpiler | null | undefined

/** Find the transpiler Vite brings, from vitest → vite; null if there is none. */
export function findTranspiler(): Transpiler | null {
  if (cached !== undefined) return cached
  cached = null
  try {
    const fromHere = createRequire(import.meta.url)
    const fromVitest = createRequire(fromHere.resolve('vitest/package.json'))
    const fromVite = createRequire(fromVitest.resolve('vite/package.json'))
    for (const [kind, specifier] of [
      ['rolldown', 'rolldown/utils'],
      ['esbuild', 'esbuild'],
    ] as const) {
      try {
        cached = { kind, path: fromVite.resolve(specifier) }
        break
      } catch {}
    }
  } catch {}
  return cached
}
