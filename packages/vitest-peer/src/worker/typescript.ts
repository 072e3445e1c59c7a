// Vitest worker side: which transpiler a peer's TypeScript loader uses, and the arguments that
// preload the loader (`typescript: 'preload'`). With `'auto'` the peer's module resolver installs
// it before the first TypeScript module (src/peer/resolve.ts); other peers pay nothing.
// Measured costs are in the README.
import { createRequire } from 'node:module'
import type { Transpiler } from '../shared/transpiler.js'

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

/** `--import` arguments that install the loader at start (`typescript: 'preload'`). */
export function preloadArgs(): string[] {
  const transpiler = findTranspiler()
  if (transpiler === null) return []
  const url = new URL('./ts-preload.mjs', import.meta.url)
  url.searchParams.set('kind', transpiler.kind)
  url.searchParams.set('path', transpiler.path)
  return ['--import', url.href]
}
