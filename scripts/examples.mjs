// `pnpm examples` (after `pnpm build`): runs the `example` script of every package under
// examples/, one after the other, each under a header that says what it shows (its package.json
// `description`), then a summary: one line per example with its outcome and time. Exits 1 if any
// example failed; every example runs either way.
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

const results = []
for (const name of names) {
  const manifest = JSON.parse(readFileSync(join(examples, name, 'package.json'), 'utf8'))
  if (!manifest.scripts?.example) continue
  const what = manifest.description.replace(/^vitest-peer example: /, '')
  console.log(`\n=== examples/${name}: ${what}\n`)
  const started = performance.now()
  const code = await new Promise((resolve, reject) => {
    // `pnpm` is on PATH inside a pnpm script (`pnpm examples`).
    const child = spawn('pnpm', ['run', '--silent', 'example'], { cwd: join(examples, name), stdio: 'inherit' })
    child.on('error', reject)
    child.on('close', (status, signal) => resolve(status ?? signal))
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  results.push(`${code === 0 ? 'ok  ' : 'FAIL'} ${name.padEnd(17)} ${seconds.padStart(5)} s  ${what}`)
}

console.log(`\n=== examples: ${results.length} run\n`)
for (const line of results) console.log(line)
process.exit(results.every((line) => line.startsWith('ok')) ? 0 : 1)
