// Vitest worker side: the arguments that preload the TypeScript loader (`typescript: 'preload'`).
// With `'auto'` the peer's module resolver installs it before the first TypeScript module
// (src/peer/resolve.ts); other peers pay nothing. Measured costs are in the README.
import { findTranspiler } from '../shared/transpiler.js'

/** `--import` arguments that install the loader at start (`typescript: 'preload'`). */
export function preloadArgs(): string[] {
  const transpiler = findTranspiler()
  if (transpiler === null) return []
  const url = new URL('./ts-preload.mjs', import.meta.url)
  url.searchParams.set('kind', transpiler.kind)
  url.searchParams.set('path', transpiler.path)
  return ['--import', url.href]
}
