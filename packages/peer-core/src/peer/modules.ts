// Peer side: the modules `call`, `cast` and `import()` inside `evaluate` load. A specifier first
// goes through the origin's module resolver, when it set one (`moduleResolver` option, the `init`
// message); then relative specifiers resolve against the peer's working directory, and bare ones
// as an `import` there would (ESM conditions), then from the runtime's own location.
import { existsSync } from 'node:fs'
import Module, { isBuiltin } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { loadBuiltin } from '../protocol/builtins.js'

/** What asked for a module: its `resolve` export sees it as `context.kind`. */
export type ModuleRequestKind = 'call' | 'cast' | 'import'

type Resolve = (specifier: string, context: { kind: ModuleRequestKind; data: unknown }) => unknown

/** A module namespace (or a CommonJS module's namespace object). */
export type ModuleNamespace = Record<string, unknown>

/**
 * The cache key of a request: `call` and `cast` name modules alike, while `import()` inside an
 * evaluated function may use another form of the same text (Vite's root-relative ids).
 */
const keyOf = (specifier: string, kind: ModuleRequestKind) => (kind === 'import' ? `import ${specifier}` : specifier)

/** The modules of this peer, by the specifier the origin sent. */
export class Modules {
  private readonly loading = new Map<string, Promise<ModuleNamespace>>()
  private readonly loaded = new Map<string, ModuleNamespace>()
  private resolver: { module: string; data: unknown; resolve?: Promise<Resolve> } | undefined

  /** Route every later specifier through `module`'s `resolve` export (loaded on first use). */
  setResolver(module: string, data: unknown): void {
    this.resolver = { module, data }
  }

  /**
   * The module a `call` or `cast` names, if it is already loaded, or a builtin when no resolver is
   * set: lets a call run without a promise hop, and a builtin without Node's ESM loader.
   */
  get(specifier: string): ModuleNamespace | undefined {
    const loaded = this.loaded.get(specifier)
    if (loaded !== undefined || this.resolver !== undefined || !isBuiltin(specifier)) return loaded
    const builtin = builtinExports(specifier)
    this.loaded.set(specifier, builtin)
    return builtin
  }

  /** Import `specifier` (once per kind of request; a failed load is tried again next time). */
  load(specifier: string, kind: ModuleRequestKind): Promise<ModuleNamespace> {
    const key = keyOf(specifier, kind)
    let loading = this.loading.get(key)
    if (loading === undefined) {
      loading = this.resolve(specifier, kind).then(importTarget)
      this.loading.set(key, loading)
      loading.then(
        (module) => this.loaded.set(key, module),
        () => this.loading.delete(key),
      )
    }
    return loading
  }

  /**
   * Start Node's ESM loader before a request needs it (the runtime calls this once the peer idles
   * after its boot). A CommonJS program such as the runtime starts it on its first `import()`,
   * and the first `import()` of a file costs about 8–11 ms on a 2-core VM against 1–3 ms for each
   * later one (importing a builtin first leaves most of it to the first file). With a resolver,
   * loading it is that first import, and every later request needs it; without one, an empty
   * module file. A failure reaches the request that needs the resolver, as without this.
   * Settles (never rejects) when done.
   */
  warm(): Promise<void> {
    const done = () => {}
    const resolver = this.resolver
    if (resolver === undefined) return importTarget(warmTarget()).then(done, done)
    resolver.resolve ??= loadResolver(resolver.module)
    return resolver.resolve.then(done, done)
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

/**
 * Builtins that `call` and `cast` take from `require` instead of `import()`: their exports
 * object, which stands for the namespace (its `default` is the object itself). Kept apart so
 * that `findExport` reads them without invoking getters (some are deprecated and warn).
 */
const builtins = new WeakSet<object>()

function builtinExports(id: string): ModuleNamespace {
  const exports = loadBuiltin(id) as ModuleNamespace
  builtins.add(exports)
  return exports
}

/**
 * An empty ES module file built next to the runtime (dist/warm.mjs), which `Modules.warm` imports;
 * `node:path` for a runtime sent over stdin (an `exec` wrapper), which has no file beside it.
 */
function warmTarget(): string {
  const beside = isAbsolute(__filename) ? join(dirname(__filename), 'warm.mjs') : ''
  return beside !== '' && existsSync(beside) ? pathToFileURL(beside).href : 'node:path'
}

/** The function `name` of a loaded module (or of its CommonJS default export), with its `this`. */
export function findExport(module: ModuleNamespace, specifier: string, name: string): [Function, unknown] {
  if (builtins.has(module)) return builtinExport(module, specifier, name)
  const direct = module[name]
  if (typeof direct === 'function') return [direct, module]
  const fallback = module.default as ModuleNamespace | undefined
  if (fallback !== null && (typeof fallback === 'object' || typeof fallback === 'function')) {
    const nested = fallback[name]
    if (typeof nested === 'function') return [nested, fallback]
  }
  throw unknownExport(
    specifier,
    name,
    Object.keys(module).filter((key) => typeof module[key] === 'function'),
  )
}

/** `findExport` for a builtin's exports object: the function `name`, or the object itself as `default`. */
function builtinExport(exports: ModuleNamespace, specifier: string, name: string): [Function, unknown] {
  if (name === 'default' && typeof exports === 'function') return [exports, undefined]
  const own = Object.getOwnPropertyDescriptor(exports, name)
  const value = own === undefined ? undefined : 'value' in own ? own.value : exports[name]
  if (typeof value === 'function') return [value, exports]
  const descriptors = Object.entries(Object.getOwnPropertyDescriptors(exports))
  throw unknownExport(
    specifier,
    name,
    descriptors.filter(([, d]) => typeof d.value === 'function').map(([key]) => key),
  )
}

function unknownExport(specifier: string, name: string, names: string[]): Error {
  const error = new Error(
    `module '${specifier}' has no function export '${name}'${names.length > 0 ? ` (its function exports: ${names.join(', ')})` : ''}`,
  ) as Error & { code: string }
  error.code = 'ERR_PEER_UNKNOWN_EXPORT'
  return error
}

/** Builtins, URLs and paths become what `import()` takes; a bare (package) specifier stays as it is. */
function resolveSpecifier(specifier: string): string {
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return specifier
  if (/^[a-z][a-z0-9+.-]+:/i.test(specifier)) return specifier // file:, data:, … URLs
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) {
    return pathToFileURL(resolve(process.cwd(), specifier)).href
  }
  return specifier
}

const isBare = (target: string) => !isBuiltin(target) && !/^[a-z][a-z0-9+.-]+:/i.test(target)

/**
 * `import(target)`; a package name is imported as from a module in the peer's working directory
 * (the `import` conditions of its `exports`, as the project's own code would get), and failing
 * that, from the runtime's own location.
 */
async function importTarget(target: string): Promise<ModuleNamespace> {
  if (!isBare(target)) return (await import(target)) as ModuleNamespace
  try {
    return (await importFromCwd()(target)) as ModuleNamespace
  } catch (error) {
    if ((error as { code?: unknown })?.code !== 'ERR_MODULE_NOT_FOUND') throw error
    return (await import(target)) as ModuleNamespace
  }
}

let cwdImporter: { cwd: string; importer: (specifier: string) => Promise<unknown> } | undefined

/** An `import()` whose referrer is a module in the working directory (compiled, never written). */
function importFromCwd(): (specifier: string) => Promise<unknown> {
  const cwd = process.cwd()
  if (cwdImporter?.cwd !== cwd) {
    const filename = join(cwd, '[vitest-peer-import].cjs')
    const module = new Module(filename) as Module & { _compile(source: string, filename: string): void }
    module.filename = filename
    module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(cwd)
    module._compile('module.exports = (specifier) => import(specifier)', filename)
    cwdImporter = { cwd, importer: module.exports as (specifier: string) => Promise<unknown> }
  }
  return cwdImporter.importer
}
