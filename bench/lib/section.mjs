// Runs one section (`node lib/section.mjs NAME [ARG]`) in a process of its own, so that the
// orchestrator can pin it to a core or change its environment; prints its rows as one JSON line
// prefixed `BENCH_ROWS ` on stdout, progress on stderr.
import { connections, sizes } from './sizes.mjs'

const [name, arg] = process.argv.slice(2)
const section = await import(`../sections/${name}.mjs`)
const rows = await section.default({ sizes, connections, arg, log: (...a) => console.error(`  [${name}]`, ...a) })
process.stdout.write(`BENCH_ROWS ${JSON.stringify(rows)}\n`)
// Sections stop what they start; exiting here also ends anything a failure left behind (peers
// and raw children are linked to this process).
process.exit(0)
