// `pnpm examples`: builds the packages (`pnpm build`, its output shown only if it fails), then runs
// the `example` script of every package under examples/, one after the other, each under a header
// that says what it shows (its package.json `description`), then a summary: one line per example
// with its outcome and time. Exits 1 if any example failed; every example runs either way.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const examples = fileURLToPath(new URL('../examples/', import.meta.url))
/** First the ones a newcomer reads first; any other example follows in name order. */
const ORDER = ['quickstart', 'basic', 'ct-suite', 'shared-broker', 'crash-report', 'cluster-failover']

const names = readdirSync(examples)
  .filter((name) => existsSync(join(examples, name, 'package.json')))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
function rank(name) {
  const index = ORDER.indexOf(name)
  return index === -1 ? ORDER.length : index
}

/** Run `pnpm <args>` in `cwd`; resolves with its exit status and, with `capture`, its output. */
function pnpm(args, cwd, capture = false) {
  return new Promise((resolve, reject) => {
    // `pnpm` is on PATH inside a pnpm script (`pnpm examples`).
    const child = spawn('pnpm', args, { cwd, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' })
    let output = ''
    child.stdout?.setEncoding('utf8').on('data', (text) => (output += text))
    child.stderr?.setEncoding('utf8').on('data', (text) => (output += text))
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({ code: status ?? signal, output }))
  })
}

console.log('pnpm build: building the packages...')
const build = await pnpm(['build'], join(examples, '..'), true)
if (build.code !== 0) {
  console.log(`${build.output}\npnpm build failed (${build.code})`)
  process.exit(1)
}
console.log('pnpm build: done')

const results = []
for (const name of names) {
  const manifest = JSON.parse(readFileSync(join(examples, name, 'package.json'), 'utf8'))
  if (!manifest.scripts?.example) continue
  const what = manifest.description.replace(/^vitest-peer example: /, '')
  console.log(`\n=== examples/${name}: ${what}\n`)
  const started = performance.now()
  const { code } = await pnpm(['run', '--silent', 'example'], join(examples, name))
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  results.push(`${code === 0 ? 'ok  ' : 'FAIL'} ${name.padEnd(17)} ${seconds.padStart(5)} s  ${what}`)
}

console.log(`\n=== examples: ${results.length} run\n`)
for (const line of results) console.log(line)
process.exit(results.every((line) => line.startsWith('ok')) ? 0 : 1)
