// Peer side: installs vitest-peer's TypeScript loader in this peer, once. Called by the module
// resolver (resolve.ts) before the peer's first TypeScript import, or at start by ts-preload.
// Where Node has in-thread hooks (`module.registerHooks`, Node ≥ 22.15) they are used: no hooks
// thread to start. Otherwise (Node 20) `module.register` runs ts-hook.ts in the hooks thread.
import { readFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Transpiler } from '../shared/transpiler.js'
import { candidates, formatOf, loadTransform, mayBeTypeScriptImport, TS_PATH } from '../shared/ts-transform.js'

const INSTALLED = Symbol.for('vitest-peer.typescript')

type SyncHooks = {
  resolve(specifier: string, context: { parentURL?: string }, next: (s: string, c: object) => unknown): unknown
  load(url: string, context: object, next: (u: string, c: object) => unknown): unknown
}
const registerHooks = (nodeModule as { registerHooks?: (hooks: SyncHooks) => unknown }).registerHooks

/**
 * Install the loader. Also on Node versions that strip types themselves: their stripping refuses
 * `enum` and parameter properties and does not map `./x.js` to `./x.ts`, which the project's
 * sources (written for Vite) rely on; the loader costs about as much (README, measurements).
 */
export function registerTypeScript(transpiler: Transpiler): Promise<'in-thread' | 'hooks-thread'> {
  // One install per process, shared by concurrent callers; a failed one is forgotten, so the next caller tries again.
  const holder = globalThis as { [INSTALLED]?: Promise<'in-thread' | 'hooks-thread'> }
  const earlier = holder[INSTALLED]
  if (earlier !== undefined) return earlier
  const installing = install(transpiler)
  holder[INSTALLED] = installing
  installing.catch(() => {
    if (holder[INSTALLED] === installing) delete holder[INSTALLED]
  })
  return installing
}

async function install(transpiler: Transpiler): Promise<'in-thread' | 'hooks-thread'> {
  // Remote stack traces then point at TypeScript lines (the loader emits inline source maps).
  process.setSourceMapsEnabled(true)
  if (registerHooks === undefined) {
    nodeModule.register(new URL('./ts-hook.mjs', import.meta.url), { data: transpiler })
    return 'hooks-thread'
  }
  const transform = await loadTransform(transpiler)
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context)
      } catch (error) {
        if (!mayBeTypeScriptImport(error, specifier, context.parentURL)) throw error
        for (const candidate of candidates(specifier)) {
          try {
            return next(candidate, context)
          } catch {}
        }
        throw error
      }
    },
    load(url, context, next) {
      if (!url.startsWith('file:')) return next(url, context)
      const filename = fileURLToPath(url.replace(/[?#].*$/, ''))
      if (!TS_PATH.test(filename)) return next(url, context)
      return {
        format: formatOf(filename),
        source: transform(filename, readFileSync(filename, 'utf8')),
        shortCircuit: true,
      }
    },
  })
  return 'in-thread'
}
