// Vitest worker side: TypeScript support for peers, installed only into peers that need it.
// A peer that calls a `.ts` module gets a `module.register` loader (src/peer/ts-hook.ts) right
// before that call; other peers pay nothing. Measured costs are in the README.
import { createRequire } from 'node:module'
import type { Peer } from '@vitest-peer/core'
import type { Transpiler } from '../shared/transpiler.js'
import type { TypeScriptMode } from '../shared/types.js'

/** `.ts`, `.mts`, `.cts`, `.tsx`, in a path or URL (a query or hash may follow). */
export const TS_FILE = /\.[cm]?tsx?(?:[?#].*)?$/

/** The peer-side module that installs the loader (built next to this file). */
export const TS_REGISTER_URL = new URL('./ts-register.mjs', import.meta.url).href

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

/** Installs the loader into one peer the first time it is needed. */
export class TypeScriptSupport {
  private ready: Promise<void> | undefined

  constructor(
    private readonly peer: Peer,
    private readonly mode: TypeScriptMode,
  ) {
    if (mode === 'preload') this.ready = Promise.resolve()
  }

  /** Resolves once the peer can import `specifier`; null when there is nothing to wait for. */
  ensure(specifier: string): Promise<void> | null {
    if (this.mode === false || !TS_FILE.test(specifier)) return null
    this.ready ??= this.install()
    return this.ready
  }

  private async install(): Promise<void> {
    const transpiler = findTranspiler()
    // Without a transpiler the call goes ahead: Node's own type stripping may handle it, and if
    // not, Node's error (ERR_UNKNOWN_FILE_EXTENSION) names the file.
    if (transpiler === null) return
    await this.peer.call(TS_REGISTER_URL, 'registerTypeScript', [transpiler])
  }
}
