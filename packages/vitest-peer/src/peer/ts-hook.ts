// Peer side, in Node's loader-hooks thread (`module.register`, Node 20): strips TypeScript types
// with the transpiler Vite brings; see shared/ts-transform.ts.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Transpiler } from '../shared/transpiler.js'
import { candidates, formatOf, mayBeTypeScriptImport, type Transform, TS_PATH } from '../shared/ts-transform.js'

type Next<R> = (specifier: string, context: Record<string, unknown>) => Promise<R>

let transform: Transform | undefined

/** Called once with the transpiler chosen by the origin. */
export async function initialize(transpiler: Transpiler): Promise<void> {
  const { loadTransform } = await import('../shared/ts-transform.js')
  transform = await loadTransform(transpiler)
}

export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  next: Next<unknown>,
): Promise<unknown> {
  try {
    return await next(specifier, context)
  } catch (error) {
    if (!mayBeTypeScriptImport(error, specifier, context.parentURL)) throw error
    for (const candidate of candidates(specifier)) {
      try {
        return await next(candidate, context)
      } catch {}
    }
    throw error
  }
}

export async function load(url: string, context: Record<string, unknown>, next: Next<unknown>): Promise<unknown> {
  if (!url.startsWith('file:') || transform === undefined) return next(url, context)
  const filename = fileURLToPath(url.replace(/[?#].*$/, ''))
  if (!TS_PATH.test(filename)) return next(url, context)
  const source = await readFile(filename, 'utf8')
  return { format: formatOf(filename), source: transform(filename, source), shortCircuit: true }
}
