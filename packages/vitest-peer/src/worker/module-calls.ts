// Vitest worker side: test-relative specifiers and TypeScript support for `call`, `cast` and
// `module()`, by wrapping those methods of each peer.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Peer } from '@vitest-peer/core'
import type { TypeScriptMode } from '../shared/types.js'
import { findTranspiler } from './typescript.js'

const TS_FILE = /\.[cm]?tsx?(?:[?#].*)?$/
const TS_REGISTER_URL = new URL('./ts-register.mjs', import.meta.url).href

/** Installs the loader into one peer the first time it is needed. */
class TypeScriptSupport {
  private ready: Promise<void> | undefined

  constructor(
    private readonly peer: Peer,
    private readonly mode: TypeScriptMode,
  ) {
    if (mode === 'preload') this.ready = Promise.resolve()
  }

  ensure(specifier: string): Promise<void> | null {
    if (this.mode === false || !TS_FILE.test(specifier)) return null
    this.ready ??= this.install()
    return this.ready
  }

  private async install(): Promise<void> {
    const transpiler = findTranspiler()
    if (transpiler === null) return
    await this.peer.call(TS_REGISTER_URL, 'registerTypeScript', [transpiler])
  }
}

/** Make `call`, `cast` and `module` resolve relative specifiers against `baseDir`, TypeScript included. */
export function wrapModuleCalls(peer: Peer, baseDir: string, mode: TypeScriptMode): void {
  const typescript = new TypeScriptSupport(peer, mode)
  const call = peer.call.bind(peer)
  const cast = peer.cast.bind(peer)
  const toSpecifier = (module: string | URL): string => {
    const text = typeof module === 'string' ? module : module.href
    return text.startsWith('./') || text.startsWith('../') ? pathToFileURL(resolve(baseDir, text)).href : text
  }
  Object.defineProperty(peer, 'call', {
    configurable: true,
    value: (module: string | URL, fn: string, args?: unknown[], options?: { timeout?: number }) => {
      const specifier = toSpecifier(module)
      const ready = typescript.ensure(specifier)
      return ready === null ? call(specifier, fn, args, options) : ready.then(() => call(specifier, fn, args, options))
    },
  })
  Object.defineProperty(peer, 'cast', {
    configurable: true,
    value: (module: string | URL, fn: string, args?: unknown[]) => {
      const specifier = toSpecifier(module)
      const ready = typescript.ensure(specifier)
      if (ready === null) cast(specifier, fn, args)
      else
        ready.then(
          () => cast(specifier, fn, args),
          () => {},
        )
    },
  })
}
