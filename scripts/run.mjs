// Child processes for the scripts (matrix.mjs, consumer.mjs): no stdin, npm's and pnpm's per-run
// variables removed (`npm_config_prefix` and the like would leak into another Node's npm), and the
// chosen Node first on PATH.
import { spawn } from 'node:child_process'
import { delimiter, dirname } from 'node:path'

/** This environment without npm/pnpm's per-run variables, `node`'s folder first on PATH, then `extra`. */
export function environment(node, extra = {}) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^p?npm_/i.test(key)) env[key] = value
  if (node) env.PATH = `${dirname(node)}${delimiter}${process.env.PATH}`
  return { ...env, ...extra }
}

/**
 * Run a command without stdin, its stderr (and stdout unless `capture`) going to ours; resolves
 * with its exit code (or signal) and, with `capture`, its stdout, which is also echoed.
 */
export function run(command, args, { cwd, node, env, capture = false, timeout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: environment(node, env),
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
      timeout,
    })
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', (text) => {
      out += text
      process.stdout.write(text)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: code ?? signal, out }))
  })
}

/** `run`, throwing unless the command exits 0; the error names `what` (default: the command line). */
export async function mustRun(command, args, options, what = [command, ...args].join(' ')) {
  const { code } = await run(command, args, options)
  if (code !== 0) throw new Error(`${what} failed (${code})`)
}
