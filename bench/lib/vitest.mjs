// Runs `vitest run` on bench/vitest-file (one file) as a child linked to this process; resolves
// with its wall time in ms, rejects if it fails.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { linked } from './raw.mjs'
import { now } from './stats.mjs'

const root = fileURLToPath(new URL('../vitest-file', import.meta.url))
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')

export function runVitestFile(extraEnv) {
  const env = { ...process.env, ...extraEnv }
  for (const key of Object.keys(env)) if (/^VITEST/.test(key)) delete env[key]
  const [exec, ...args] = linked([vitest, 'run', '--root', root, '--reporter=dot'])
  const start = now()
  const child = spawn(exec, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(now() - start) : reject(new Error(`vitest failed (${extraEnv.BENCH_KIND}):\n${out}`)),
    ),
  )
}
