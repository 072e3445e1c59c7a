// Benchmark helper: the transpiler lookup of dist (the worker module is not a public entry).
import { createRequire } from 'node:module'

export function findTranspiler() {
  const fromHere = createRequire(import.meta.url)
  const fromVitest = createRequire(fromHere.resolve('vitest/package.json'))
  const fromVite = createRequire(fromVitest.resolve('vite/package.json'))
  try {
    return { kind: 'rolldown', path: fromVite.resolve('rolldown/utils') }
  } catch {
    return { kind: 'esbuild', path: fromVite.resolve('esbuild') }
  }
}
