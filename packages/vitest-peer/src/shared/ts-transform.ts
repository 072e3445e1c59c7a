// Both sides: TypeScript → JavaScript with the transpiler Vite brings, and TypeScript's habits for
// relative imports. Peers run it in both loader flavours (main thread or loader-hooks thread); the
// Vitest main process runs it again to map a peer's coverage of a TypeScript file back to its lines
// (the same transpiler and options give the same JavaScript and source map).
import { pathToFileURL } from 'node:url'
import type { Transpiler } from './transpiler.js'

/** `(filename, source) → JavaScript` with an inline source map. */
export type Transform = (filename: string, source: string) => string

/** A `.ts`, `.mts`, `.cts` or `.tsx` path. */
export const TS_PATH = /\.[cm]?tsx?$/

/** Load the transpiler module and wrap it as a `Transform`. */
export async function loadTransform(transpiler: Transpiler): Promise<Transform> {
  const mod = (await import(pathToFileURL(transpiler.path).href)) as Record<string, any>
  if (transpiler.kind === 'rolldown') {
    type Result = { code: string; map?: object; errors?: { message: string }[] }
    const transformSync = mod.transformSync as (f: string, s: string, o: object) => Result
    return (filename, source) => {
      const result = transformSync(filename, source, { sourcemap: true, target: 'es2022' })
      const first = result.errors?.[0]
      if (first) throw new SyntaxError(`${filename}: ${first.message}`)
      if (!result.map) return result.code
      const map = Buffer.from(JSON.stringify(result.map)).toString('base64')
      return `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}`
    }
  }
  const esbuild = (mod.transformSync ? mod : mod.default) as {
    transformSync: (s: string, o: object) => { code: string }
  }
  return (filename, source) =>
    esbuild.transformSync(source, {
      loader: filename.endsWith('x') ? 'tsx' : 'ts',
      format: filename.endsWith('.cts') ? 'cjs' : 'esm',
      sourcefile: filename,
      sourcemap: 'inline',
      target: 'es2022',
    }).code
}

/** The format Node should load a transformed file as: `.cts` is CommonJS, the rest ESM (as Vite treats them). */
export const formatOf = (filename: string): 'module' | 'commonjs' => (filename.endsWith('.cts') ? 'commonjs' : 'module')

/** Other specifiers to try for a relative import from a `.ts` file that Node could not resolve. */
export function candidates(specifier: string): string[] {
  if (/\.js$/.test(specifier)) return [specifier.replace(/\.js$/, '.ts'), specifier.replace(/\.js$/, '.tsx')]
  if (/\.mjs$/.test(specifier)) return [specifier.replace(/\.mjs$/, '.mts')]
  if (/\.cjs$/.test(specifier)) return [specifier.replace(/\.cjs$/, '.cts')]
  if (!/\.[a-z]+$/i.test(specifier)) return [`${specifier}.ts`, `${specifier}.tsx`, `${specifier}/index.ts`]
  return []
}

/** True if a failed resolution of `specifier` from `parentURL` should try `candidates`. */
export function mayBeTypeScriptImport(error: unknown, specifier: string, parentURL: string | undefined): boolean {
  return (
    (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
    parentURL !== undefined &&
    TS_PATH.test(parentURL.replace(/[?#].*$/, '')) &&
    (specifier.startsWith('./') || specifier.startsWith('../'))
  )
}
