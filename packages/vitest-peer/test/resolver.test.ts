// The peer-side module resolver (src/peer/resolve.ts): how specifiers of `call`/`cast` and
// Vite's ids of `import()` inside `evaluate` map to files, checked in this process; and how it
// installs the TypeScript loader, checked in a real peer that calls the built resolver.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPeer } from '@vitest-peer/core'
import { describe, expect, test } from 'vitest'
import { resolve } from '../src/peer/resolve.js'
import type { ResolverData } from '../src/shared/resolver-data.js'
import { findTranspiler } from '../src/shared/transpiler.js'
import { fixture } from './helpers/child-vitest.js'

const base = fixture('modules')
const root = fixture('report')
const data: ResolverData = { base, root, typescript: false, transpiler: null }
const call = (specifier: string) => resolve(specifier, { kind: 'call', data })
const imported = (specifier: string) => resolve(specifier, { kind: 'import', data })

describe('call and cast specifiers resolve as the test file imports them', () => {
  test('relative to the test file, `.js` naming a `.ts` file (NodeNext), no extension, a folder', async () => {
    expect(await call('./math.ts')).toBe(`${base}/math.ts`)
    expect(await call('./math.js')).toBe(`${base}/math.ts`)
    expect(await call('./math')).toBe(`${base}/math.ts`)
    expect(await call('./lib')).toBe(`${base}/lib/index.ts`)
    expect(await call('../modules/util.js')).toBe(`${base}/util.ts`)
    expect(await call(`${base}/util.js`)).toBe(`${base}/util.ts`)
    expect(await call(`file://${base}/util.js`)).toBe(`${base}/util.ts`)
  })

  test('an existing JavaScript file wins over a TypeScript one; what does not exist is left for the import to report', async () => {
    expect(await call('./plain.js')).toBe(`${base}/plain.js`)
    expect(await call('./missing.js')).toBe(`${base}/missing.js`)
  })

  test('builtins, packages and other URLs are left to the engine', async () => {
    for (const specifier of ['node:os', 'os', 'vitest', 'data:text/javascript,export default 1', 'file:///x.js?v=1'])
      expect(await call(specifier)).toBe(specifier)
  })
})

describe("import() inside evaluate: Vite's module ids", () => {
  test('/@fs/<absolute path>, root-relative ids, and absolute paths outside the root', async () => {
    expect(await imported(`/@fs${base}/math.ts`)).toBe(`${base}/math.ts`)
    expect(await imported('/math.ts')).toBe(`${root}/math.ts`)
    expect(await imported('/util.js?v=123')).toBe(`${root}/util.ts`)
    expect(await imported(`${base}/util.ts`)).toBe(`${base}/util.ts`)
  })

  test('a relative import (a function Vite did not transform) starts at the test file; builtins and bare names stay', async () => {
    expect(await imported('./math.js')).toBe(`${base}/math.ts`)
    expect(await imported('node:fs')).toBe('node:fs')
    expect(await imported('/@id/vitest')).toBe('vitest')
  })

  test('a virtual module of a Vite plugin is refused with a reason', async () => {
    const error = await imported('/@id/__x00__virtual:config').catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('ERR_VITEST_PEER_VIRTUAL_MODULE')
    expect((error as Error).message).toMatchInlineSnapshot(
      `"cannot import '/@id/__x00__virtual:config' in the peer: it is a virtual module of a Vite plugin, which exists only inside Vite"`,
    )
  })
})

describe('the TypeScript loader, installed by the resolver in a real peer', () => {
  const RESOLVER = new URL('../dist/resolve.mjs', import.meta.url).href
  const transpiler = findTranspiler()

  test.runIf(transpiler !== null)('before the first TypeScript module, and again after a failed install', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'vp-resolver-'))
    await using peer = await startPeer()
    try {
      const auto = (t: unknown) => ({ kind: 'call', data: { ...data, typescript: 'auto', transpiler: t } })
      // A transpiler that cannot load: the call says what failed, without naming vitest-peer's internals.
      const broken = { kind: transpiler!.kind, path: join(scratch, 'no-such-transpiler.mjs') }
      const failure = await peer.call(RESOLVER, 'resolve', ['./math.js', auto(broken)]).catch((e: unknown) => e)
      expect((failure as { code?: string }).code).toBe('ERR_VITEST_PEER_TYPESCRIPT')
      expect(
        (failure as Error).message
          .replaceAll(base, '<base>')
          .replaceAll(scratch, '<scratch>')
          .replace(transpiler!.kind, '<kind>'),
      ).toMatchInlineSnapshot(
        `"cannot import <base>/math.ts: vitest-peer's TypeScript loader could not be installed in the peer (<kind> transpiler at <scratch>/no-such-transpiler.mjs): Cannot find module '<scratch>/no-such-transpiler.mjs'"`,
      )
      // Not remembered: the next request installs it.
      const target = await peer.call<string>(RESOLVER, 'resolve', ['./math.js', auto(transpiler)])
      expect(target).toBe(`${base}/math.ts`)
      expect(await peer.call(target, 'double', [21])).toBe(42)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })
})
