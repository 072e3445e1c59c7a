// The code a peer ran, rebuilt in the Vitest main process to map its coverage (src/main/coverage/
// sources.ts): found only when it is exactly as long as what the peer ran, so that coverage of a
// file changed since, or run by another loader, is left out instead of landing on wrong lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { RanCodeFinder } from '../src/main/coverage/sources.js'
import { findTranspiler } from '../src/shared/transpiler.js'
import { loadTransform } from '../src/shared/ts-transform.js'

const dir = mkdtempSync(join(tmpdir(), 'vp-ran-code-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return { path, url: pathToFileURL(path).href }
}
const finder = new RanCodeFinder(findTranspiler())

test('a JavaScript file is the code the peer ran when the lengths agree, and changed otherwise', async () => {
  const js = file('plain.js', 'export const one = () => 1\n')
  expect(await finder.find(js.path, js.url, 27)).toEqual({ code: 'export const one = () => 1\n' })
  expect(await finder.find(js.path, js.url, 26)).toBe('changed')
})

test("a TypeScript file is the loader's output, with the source map back to the file", async () => {
  const source = 'enum E { A }\nexport const one = (): number => 1 + E.A\n'
  const ts = file('typed.ts', source)
  const ran = (await loadTransform(findTranspiler()!))(ts.path, source)
  const found = await finder.find(ts.path, ts.url, ran.length)
  expect(found).toMatchObject({ code: ran, map: { sources: [ts.url] } })
  // What Node's own type stripping would have run (same length as the file) is not it.
  expect(await finder.find(ts.path, ts.url, source.length)).toBe('changed')
})

test('a file that is gone is missing', async () => {
  expect(await finder.find(join(dir, 'gone.js'), pathToFileURL(join(dir, 'gone.js')).href, 10)).toBe('missing')
})
