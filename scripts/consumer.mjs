// The packages as a user installs them: `pnpm pack` both, install the tarballs with npm into a
// scratch project (scripts/consumer/: NodeNext TypeScript, the plugin, code run only in peers), then
//   1. `tsc --noEmit`: the published types compile under NodeNext, `skipLibCheck` off;
//   2. `vitest run`: the fixtures, every connection, `.js` specifiers for `.ts` files, evaluate with
//      `import()`, a file-scoped peer, restart, a proxy, a failing call's stack;
//   3. `vitest run --coverage --coverage.reporter=json`: what ran only in peers is covered (a `.ts`
//      and a `.js` file), what never ran is not.
//
// node scripts/consumer.mjs [--node <path to node>] [--vitest <version>]
// Defaults: this Node, and the Vitest version of the workspace. The packages must be built
// (`pnpm build`). scripts/matrix.mjs runs it on the lowest Node of each Vitest major.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { versionOf } from './node-release.mjs'
import { mustRun as run } from './run.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
const pnpm = readJson(join(root, 'package.json')).packageManager
/** The TypeScript of the workspace, for the consumer's `tsc`. */
const rootDev = readJson(join(root, 'package.json')).devDependencies

/** Counts per function name of one file of a coverage-final.json. */
function functionCounts(coverage, suffix) {
  const entry = Object.entries(coverage).find(([file]) => file.endsWith(suffix))?.[1]
  if (!entry) throw new Error(`coverage: no entry for ${suffix} (files: ${Object.keys(coverage).join(', ')})`)
  return Object.fromEntries(Object.entries(entry.fnMap).map(([id, fn]) => [fn.name, entry.f[id]]))
}

/** Pack, install and check; resolves with a one-line summary. */
export async function checkConsumer({ node = process.execPath, vitest } = {}) {
  const version = vitest ?? readJson(join(root, 'node_modules', 'vitest', 'package.json')).version
  const scratch = mkdtempSync(join(tmpdir(), 'vitest-peer-consumer-'))
  try {
    const tarballs = join(scratch, 'tarballs')
    for (const name of ['peer-core', 'vitest-peer']) {
      await run('npx', ['-y', pnpm, 'pack', '--pack-destination', tarballs], {
        cwd: join(root, 'packages', name),
        node,
      })
    }
    // pnpm names a tarball `<scope>-<name>-<version>.tgz`.
    const tarball = (pattern) =>
      join(
        tarballs,
        readdirSync(tarballs).find((file) => pattern.test(file)),
      )
    const [core, vp] = [/^vitest-peer-core-\d/, /^vitest-peer-\d/].map(tarball)
    const project = join(scratch, 'project')
    cpSync(join(root, 'scripts', 'consumer'), project, { recursive: true })
    const manifest = {
      name: 'vitest-peer-consumer',
      private: true,
      type: 'module',
      devDependencies: {
        // The Node the project runs on (Vitest 5 asks for @types/node 22 or later).
        '@types/node': `^${versionOf(node)?.slice(1).split('.')[0]}`,
        '@vitest-peer/core': `file:${core}`,
        '@vitest/coverage-v8': version,
        typescript: rootDev.typescript,
        vitest: version,
        'vitest-peer': `file:${vp}`,
      },
    }
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    const npm = ['--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline']
    await run('npm', ['install', ...npm], { cwd: project, node })
    await run(node, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: project, node })
    const vitestBin = join(project, 'node_modules', 'vitest', 'vitest.mjs')
    await run(node, [vitestBin, 'run'], { cwd: project, node })
    await run(node, [vitestBin, 'run', '--coverage', '--coverage.reporter=json'], { cwd: project, node })
    const coverage = readJson(join(project, 'coverage', 'coverage-final.json'))
    const expected = { 'src/math.ts': 'add', 'src/greet.js': 'greet' }
    for (const [file, called] of Object.entries(expected)) {
      const counts = functionCounts(coverage, file)
      if (!(counts[called] > 0) || counts.neverCalled !== 0) {
        throw new Error(`coverage of ${file}: ${JSON.stringify(counts)} (${called} > 0 and neverCalled 0 expected)`)
      }
    }
    return `packed packages on vitest ${version}: types, tests and peers' coverage ok`
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { node: { type: 'string' }, vitest: { type: 'string' } } })
  checkConsumer(values).then(
    (line) => console.log(`consumer: ${line}`),
    (error) => {
      console.error(`consumer: ${error.message}`)
      process.exitCode = 1
    },
  )
}
