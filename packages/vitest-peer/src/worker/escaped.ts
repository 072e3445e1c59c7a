// Vitest worker side: at the end of a test (or of a file or worker scope), once its peers are
// gone, the processes they started that outlived them (those that left a peer's process group or
// session, which the engine does not end). They are found by the peers' cookies
// (shared/descendants.ts), killed with SIGKILL, waited for, and reported; a test's failure report
// lists them with the peer that started them.
import { DESCENDANTS_GONE_MS } from '../constants.js'
import { type Descendant, endDescendants, type Snapshot } from '../shared/descendants.js'
import { describeProcess } from '../shared/registry.js'

/** One peer of the test as this module needs it. */
export interface Lineage {
  name: string
  cookie: string
  /** Its start time (clock ticks since boot, /proc), null if unknown. */
  startTime: string | null
}

/**
 * Kill what `lineages` left running and wait until it is gone (at most `DESCENDANTS_GONE_MS`);
 * `print` gets one line per process, saying it was running when `owner` (`the test "…"`) ended.
 * `earlier`: the processes alive before the first of them started, which are not looked at.
 * Returns, per lineage (same order), the processes it started. A restarted peer keeps its cookie:
 * a process goes to the latest peer with that cookie that started before it.
 */
export async function endEscaped(
  lineages: Lineage[],
  owner: string,
  print: (text: string) => void,
  earlier?: Snapshot,
): Promise<Descendant[][]> {
  const byLineage = lineages.map((): Descendant[] => [])
  if (lineages.length === 0) return byLineage
  const { killed, alive } = await endDescendants(
    { cookies: new Set(lineages.map((l) => l.cookie)), earlier },
    DESCENDANTS_GONE_MS,
  )
  if (killed.length === 0) return byLineage
  const lines: string[] = []
  for (const process of killed) {
    const index = ownerOf(lineages, process)
    byLineage[index]!.push(process)
    const still = alive.includes(process.pid) ? `; it was still alive ${DESCENDANTS_GONE_MS} ms later` : ''
    lines.push(
      `vitest-peer: process ${describeProcess(process.pid, process.cmdline)} started by peer ${lineages[index]!.name} outlived it and was still running when ${owner} ended; killed it with SIGKILL${still}`,
    )
  }
  print(lines.join('\n'))
  return byLineage
}

/** The index of the lineage that started `process`. */
function ownerOf(lineages: Lineage[], process: Descendant): number {
  let owner = -1
  for (const [i, lineage] of lineages.entries()) {
    if (lineage.cookie !== process.cookie) continue
    if (owner === -1 || Number(lineage.startTime ?? 0) <= Number(process.startTime)) owner = i
  }
  return owner === -1 ? 0 : owner
}
