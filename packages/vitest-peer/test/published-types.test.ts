// What the published type declarations export (dist/*.d.mts, built before the tests run), as
// a snapshot: an internal type leaking into the API shows as a diff here. The README's export
// tables must name exactly these exports.
import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { expect, test } from 'vitest'

const dist = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8')

const ENTRIES = { 'vitest-peer': 'index.d.mts', 'vitest-peer/plugin': 'plugin.d.mts' }

/**
 * What each entry's declaration file exports (`type * from 'x'` as such); the declarations of
 * the entries and their chunks that no entry exports, which users would meet in the API without
 * being able to import them by name (a leaked internal type); and the members they add to other
 * modules' interfaces.
 */
function surface() {
  const exported = new Set<string>()
  const declared = new Set<string>()
  const augments = new Set<string>()
  const visit = (file: string, exports: string[] | null) => {
    const source = ts.createSourceFile(file, dist(file), ts.ScriptTarget.Latest)
    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement)) {
        const from = (statement.moduleSpecifier as ts.StringLiteral).text
        if (from.startsWith('./')) visit(from.slice(2).replace(/\.mjs$/, '.d.mts'), null)
      } else if (ts.isExportDeclaration(statement)) {
        // A chunk exports its declarations to the entries under short aliases: not an API.
        if (exports === null) continue
        const from = statement.moduleSpecifier && (statement.moduleSpecifier as ts.StringLiteral).text
        if (statement.exportClause === undefined) exports.push(`${statement.isTypeOnly ? 'type ' : ''}* from '${from}'`)
        else if (ts.isNamedExports(statement.exportClause))
          for (const element of statement.exportClause.elements) {
            exports.push(element.name.text)
            exported.add((element.propertyName ?? element.name).text)
          }
      } else if (ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name)) {
        for (const inner of (statement.body as ts.ModuleBlock).statements)
          if (ts.isInterfaceDeclaration(inner))
            for (const member of inner.members)
              augments.add(`${statement.name.text}.${inner.name.text}.${(member.name as ts.Identifier).text}`)
      } else if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations) declared.add((d.name as ts.Identifier).text)
      } else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
        declared.add((statement.name as ts.Identifier).text)
      }
    }
  }
  const exports: Record<string, string[]> = {}
  for (const [entry, file] of Object.entries(ENTRIES)) {
    exports[entry] = []
    visit(file, exports[entry])
    exports[entry].sort()
  }
  const unexported = [...declared].filter((name) => !exported.has(name)).sort()
  return { exports, unexported, augments: [...augments].sort() }
}

test('the published declarations export exactly the API', () => {
  expect(surface()).toMatchInlineSnapshot(`
    {
      "augments": [
        "vitest.TaskMeta.vitestPeer",
      ],
      "exports": {
        "vitest-peer": [
          "NoCurrentTestError",
          "Peer",
          "PeerBootError",
          "PeerCloneError",
          "PeerDiagnosticsError",
          "PeerDownError",
          "PeerError",
          "PeerFixtures",
          "PeerOptionsError",
          "PeerProtocolError",
          "PeerReport",
          "PeerTimeoutError",
          "RemoteError",
          "SerializablePeerOptions",
          "StartPeer",
          "TestEndedError",
          "TypeScriptMode",
          "VitestPeerError",
          "VitestPeerExtraOptions",
          "VitestPeerOptions",
          "describeDown",
          "it",
          "peerFixtures",
          "peerName",
          "randomName",
          "test",
          "type * from '@vitest-peer/core'",
          "usePeer",
        ],
        "vitest-peer/plugin": [
          "VitestPeerPluginOptions",
          "default",
          "vitestPeer",
        ],
      },
      "unexported": [],
    }
  `)
})

test("the README's export tables name exactly the exports", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const documented = new Set<string>()
  let inExportTable = false
  for (const line of readme.split('\n')) {
    if (!line.startsWith('|')) inExportTable = false
    else if (/^\| export\b/.test(line)) inExportTable = true
    else if (inExportTable)
      for (const [, name] of (line.split('|')[1] ?? '').matchAll(/`([A-Za-z]+)[^`]*`/g)) documented.add(name!)
  }
  // The plugin's default export is `vitestPeer` under another name.
  const own = Object.values(surface().exports)
    .flat()
    .filter((name) => !name.includes(' from ') && name !== 'default')
  expect([...documented].sort()).toEqual([...new Set(own)].sort())
})
