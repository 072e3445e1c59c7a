// Benchmark (origin side): what TypeScript support costs a peer. For each way of running a
// module in a fresh peer it measures start + first call, median of RUNS, all in one run so the
// numbers compare. Usage: node bench/typescript.mjs [path/to/node22]   (after `pnpm build`)
// With TSX_LOADER=/path/to/tsx/dist/loader.mjs it also measures `--import tsx` for comparison.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startPeer } from '@vitest-peer/core'

const RUNS = Number(process.env.RUNS ?? 15)
const node22 = process.argv[2]
const dir = mkdtempSync(join(tmpdir(), 'vp-ts-bench-'))
writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
writeFileSync(join(dir, 'plain.mjs'), 'export const add = (a, b) => a + b\n')
writeFileSync(join(dir, 'strip.ts'), 'export const add = (a: number, b: number): number => a + b\n')
writeFileSync(join(dir, 'util.ts'), 'export const zero = (): number => 0\n')
writeFileSync(
  join(dir, 'full.ts'),
  "import { zero } from './util.js'\nenum E { A = 0 }\nexport const add = (a: number, b: number): number => a + b + E.A + zero()\n",
)
const url = (f) => pathToFileURL(join(dir, f)).href
const resolver = new URL('../dist/resolve.mjs', import.meta.url)
const preload = new URL('../dist/ts-preload.mjs', import.meta.url)
const { findTranspiler } = await import('./transpiler.mjs')
const transpiler = findTranspiler()
preload.searchParams.set('kind', transpiler.kind)
preload.searchParams.set('path', transpiler.path)
const env = { NODE_EXTRA_CA_CERTS: undefined }

async function once(exec, { args = [], lazy = false, file }) {
  const t0 = performance.now()
  // `lazy`: as vitest-peer starts a peer with `typescript: 'auto'`: its module resolver installs
  // the loader before the first TypeScript module.
  const moduleResolver = lazy
    ? { module: resolver, data: { base: dir, root: dir, typescript: 'auto', transpiler } }
    : undefined
  const peer = await startPeer({ exec, args, env, moduleResolver })
  const sum = await peer.call(url(file), 'add', [1, 2])
  const ms = performance.now() - t0
  await peer.stop()
  if (sum !== 3) throw new Error(`wrong result ${sum}`)
  return ms
}

async function measure(label, exec, options) {
  await once(exec, options) // warm the file system cache
  const times = []
  for (let i = 0; i < RUNS; i++) times.push(await once(exec, options))
  times.sort((a, b) => a - b)
  console.log(`${label.padEnd(58)} median ${times[times.length >> 1].toFixed(1)} ms  min ${times[0].toFixed(1)} ms`)
}

console.log(`transpiler: ${transpiler.kind} (${transpiler.path}); ${RUNS} runs each; start + first call`)
for (const [name, exec] of [['node20', process.execPath], ...(node22 ? [['node22', node22]] : [])]) {
  await measure(`${name}: plain.mjs (no TypeScript)`, exec, { file: 'plain.mjs' })
  await measure(`${name}: full.ts, loader installed on first .ts call`, exec, { file: 'full.ts', lazy: true })
  await measure(`${name}: full.ts, loader preloaded (--import)`, exec, {
    file: 'full.ts',
    args: ['--import', preload.href],
  })
  if (name === 'node22') await measure(`${name}: strip.ts, Node's own type stripping`, exec, { file: 'strip.ts' })
  if (process.env.TSX_LOADER) {
    const tsx = pathToFileURL(process.env.TSX_LOADER).href
    await measure(`${name}: full.ts, tsx preloaded (--import tsx)`, exec, { file: 'full.ts', args: ['--import', tsx] })
  }
}
