// Peer side: the modules `call`, `cast` and `import()` inside `evaluate` load. A specifier first
// goes through the origin's module resolver, when it set one (`moduleResolver` option, the `init`
// message); then relative specifiers resolve against the peer's working directory, and bare ones
// from there first, then from the runtime's own location.
import { createRequire, isBuiltin } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** What asked for a module: its `resolve` export sees it as `context.kind`. */
export type ModuleRequestKind = 'call' | 'cast' | 'import'

type Resolve = (specifier: string, context: { kind: ModuleRequestKind; data: unknown }) => unknown

/** A module namespace (or a CommonJS module's namespace object). */
export type ModuleNamespace = Record<string, unknown>

/** The modules of this peer, by the specifier the origin sent. */
export class Modules {
  private readonly loading = new Map<string, Promise<ModuleNamespace>>()
  private readonly loaded = new Map<string, ModuleNamespace>()
  private resolver: { module: string; data: unknown; resolve?: Promise<Resolve> } | undefined

  /** Route every later specifier through `module`'s `resolve` export (loaded on first use). */
  setResolver(module: string, data: unknown): void {
    this.resolver = { module, data }
  }

  /** The module `specifier` if it is already loaded: lets a call run without a promise hop. */
  get(specifier: string): ModuleNamespace | undefined {
    return this.loaded.get(specifier)
  }

  /** Import `specifier` (once; a failed load is tried again next time). */
  load(specifier: string, kind: ModuleRequestKind): Promise<ModuleNamespace> {
    let loading = this.loading.get(specifier)
    if (loading === undefined) {
      loading = this.resolve(specifier, kind).then((target) => import(target) as Promise<ModuleNamespace>)
      this.loading.set(specifier, loading)
      loading.then(
        (module) => this.loaded.set(specifier, module),
        () => this.loading.delete(specifier),
      )
    }
    return loading
  }

  private async resolve(specifier: string, kind: ModuleRequestKind): Promise<string> {
    const resolver = this.resolver
    if (resolver === undefined) return resolveSpecifier(specifier)
    resolver.resolve ??= loadResolver(resolver.module)
    const resolved = await (await resolver.resolve)(specifier, { kind, data: resolver.data })
    if (typeof resolved !== 'string' || resolved === '') {
      throw new TypeError(
        `the module resolver ${resolver.module} returned ${typeof resolved === 'string' ? 'an empty string' : typeof resolved} for '${specifier}'; expected a specifier`,
      )
    }
    return resolveSpecifier(resolved)
  }
}

async function loadResolver(module: string): Promise<Resolve> {
  const namespace = (await import(resolveSpecifier(module))) as ModuleNamespace
  const resolve = namespace.resolve
  if (typeof resolve !== 'function') {
    throw new TypeError(`the module resolver ${module} has no function export 'resolve'`)
  }
  return resolve as Resolve
}

/** The function `name` of a loaded module (or of its CommonJS default export), with its `this`. */
export function findExport(module: ModuleNamespace, specifier: string, name: string): [Function, unknown] {
  const direct = module[name]
  if (typeof direct === 'function') return [direct, module]
  const fallback = module.default as ModuleNamespace | undefined
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
