// Peer side: the modules `call` and `cast` run. Relative specifiers resolve against the peer's
// working directory; bare ones from there first, then from the runtime's own location.
import { createRequire, isBuiltin } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const cache = new Map<string, Promise<Record<string, unknown>>>()
const loaded = new Map<string, Record<string, unknown>>()

/** The module `specifier` if it is already loaded: lets a call run without a promise hop. */
export function loadedModule(specifier: string): Record<string, unknown> | undefined {
  return loaded.get(specifier)
}

/** Import `specifier` (cached) as the peer resolves it. */
export function loadModule(specifier: string): Promise<Record<string, unknown>> {
  let loading = cache.get(specifier)
  if (loading === undefined) {
    loading = import(resolveSpecifier(specifier)) as Promise<Record<string, unknown>>
    cache.set(specifier, loading)
    loading.then(
      (module) => loaded.set(specifier, module),
      () => cache.delete(specifier),
    )
  }
  return loading
}

/** The function `name` of a loaded module (or of its CommonJS default export), with its `this`. */
export function findExport(module: Record<string, unknown>, specifier: string, name: string): [Function, unknown] {
  const direct = module[name]
  if (typeof direct === 'function') return [direct, module]
  const fallback = module.default as Record<string, unknown> | undefined
  if (fallback !== null && (typeof fallback === 'object' || typeof fallback === 'function')) {
    const nested = fallback[name]
    if (typeof nested === 'function') return [nested, fallback]
  }
  const names = Object.keys(module).filter((key) => typeof module[key] === 'function')
  const error = new Error(
    `module '${specifier}' has no function export '${name}'${names.length > 0 ? ` (its function exports: ${names.join(', ')})` : ''}`,
  ) as Error & { code: string }
  error.code = 'ERR_PEER_UNKNOWN_EXPORT'
  throw error
}

function resolveSpecifier(specifier: string): string {
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return specifier
  if (/^[a-z][a-z0-9+.-]+:/i.test(specifier)) return specifier // file:, data:, … URLs
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) {
    return pathToFileURL(resolve(process.cwd(), specifier)).href
  }
  try {
    return pathToFileURL(createRequire(join(process.cwd(), 'noop.js')).resolve(specifier)).href
  } catch {
    return specifier
  }
}
