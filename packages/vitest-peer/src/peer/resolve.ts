// Peer side: vitest-peer's module resolver, loaded by the engine (`moduleResolver` start option)
// before the peer's first module request. Every specifier given to `call`, `cast` or `module()`,
// and every `import()` inside `evaluate`, comes here first, so the peer finds modules as the test
// file's own imports do. What it returns, the engine imports (a path, a URL, a builtin, or a bare
// name that the engine resolves from the peer's working directory).
import { statSync } from 'node:fs'
import { extname, isAbsolute, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ResolverData } from '../shared/resolver-data.js'
import type { Transpiler } from '../shared/transpiler.js'
import { TS_PATH } from '../shared/ts-transform.js'

/** What asked for the module: `call`/`cast` (also `module()`), or an `import()` inside `evaluate`. */
export type RequestKind = 'call' | 'cast' | 'import'

/** Map `specifier` to what the peer imports, with the TypeScript loader in place when it needs one. */
export async function resolve(specifier: string, context: { kind: RequestKind; data: unknown }): Promise<string> {
  const data = context.data as ResolverData
  const target = context.kind === 'import' ? fromViteId(specifier, data) : fromTestFile(specifier, data)
  if (data.typescript === 'auto' && data.transpiler !== null && TS_PATH.test(target)) {
    await installTypeScript(data.transpiler, target)
  }
  return target
}

/** Install the TypeScript loader (once; a failed install is tried again by the next request). */
async function installTypeScript(transpiler: Transpiler, target: string): Promise<void> {
  try {
    // Loaded on first need: peers that never import TypeScript do not load the loader's code.
    const { registerTypeScript } = await import('./ts-register.js')
    await registerTypeScript(transpiler)
  } catch (cause) {
    // Node names the module that tried the import (a file of vitest-peer's build): not the user's concern.
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/ imported from \S+$/, '')
    throw Object.assign(
      new Error(
        `cannot import ${target}: vitest-peer's TypeScript loader could not be installed in the peer (${transpiler.kind} transpiler at ${transpiler.path}): ${reason}`,
        { cause },
      ),
      { code: 'ERR_VITEST_PEER_TYPESCRIPT' },
    )
  }
}

/** A specifier written in the test: relative to the test file's folder; absolute paths and `file:` URLs as files. */
function fromTestFile(specifier: string, data: ResolverData): string {
  if (isRelative(specifier)) return onDisk(resolvePath(data.base, specifier))
  if (isAbsolute(specifier)) return onDisk(specifier)
  if (specifier.startsWith('file:') && !/[?#]/.test(specifier)) return onDisk(fileURLToPath(specifier))
  return specifier
}

/**
 * An `import()` inside `evaluate`. A function written in a test file arrives as Vite transformed
 * it: its import specifiers are Vite's module ids, `/@fs/<absolute path>` for files outside the
 * project root and `/<path from the root>` for files inside it; builtins and what Vite could not
 * resolve stay as written. An id whose path does not exist under the root is an absolute path.
 */
function fromViteId(specifier: string, data: ResolverData): string {
  const id = specifier.replace(/[?#].*$/, '')
  if (id.startsWith('/@fs/')) return onDisk(id.slice('/@fs'.length))
  if (id.startsWith('/@id/')) {
    // Vite's `/@id/` prefix wraps an id that is not a URL; `__x00__` stands for the NUL byte of a virtual module.
    const inner = id.slice('/@id/'.length)
    if (inner.startsWith('__x00__') || inner.startsWith('\0')) {
      throw Object.assign(
        new Error(
          `cannot import '${specifier}' in the peer: it is a virtual module of a Vite plugin, which exists only inside Vite`,
        ),
        { code: 'ERR_VITEST_PEER_VIRTUAL_MODULE' },
      )
    }
    return fromViteId(inner, data)
  }
  if (id.startsWith('/') && !id.startsWith('//')) {
    const underRoot = existing(resolvePath(data.root, `.${id}`))
    return underRoot ?? onDisk(id)
  }
  return fromTestFile(specifier, data)
}

const isRelative = (s: string) => s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../')

/**
 * Vite's default `resolve.extensions`, tried in this order for a path without one
 * (https://vite.dev/config/shared-options.html#resolve-extensions).
 */
const EXTENSIONS = ['.mjs', '.js', '.mts', '.ts', '.jsx', '.tsx', '.json']

/**
 * The TypeScript sources a JavaScript path may stand for: TypeScript's `NodeNext` style writes
 * `./math.js` for `math.ts` (https://www.typescriptlang.org/docs/handbook/modules/reference.html#file-extension-substitution).
 */
const TYPESCRIPT_SOURCES: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
}

/** The file `path` names on disk, as Vite finds it; `path` itself when nothing matches (the import then says what is missing). */
function onDisk(path: string): string {
  return existing(path) ?? path
}

function existing(path: string): string | undefined {
  const kind = statKind(path)
  if (kind === 'file') return path
  const extension = extname(path)
  const stem = path.slice(0, path.length - extension.length)
  // Vite's order: the path with an extension added, then a folder's index file.
  const tries = [
    ...(Object.hasOwn(TYPESCRIPT_SOURCES, extension) ? TYPESCRIPT_SOURCES[extension]! : []).map((e) => stem + e),
    ...(extension === '' || kind === 'directory' ? EXTENSIONS.map((e) => path + e) : []),
    ...(kind === 'directory' ? EXTENSIONS.map((e) => `${path}/index${e}`) : []),
  ]
  return tries.find((candidate) => statKind(candidate) === 'file')
}

function statKind(path: string): 'file' | 'directory' | undefined {
  const stat = statSync(path, { throwIfNoEntry: false })
  return stat?.isFile() ? 'file' : stat?.isDirectory() ? 'directory' : undefined
}
