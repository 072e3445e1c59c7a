// Vitest main process: the peers' scripts as istanbul coverage, merged into the run's coverage map.
// The conversion is the v8 provider's own: its `remapCoverage` (ast-v8-to-istanbul with the
// provider's options and its rules for nodes to ignore) turns the workers' coverage into the same
// map, so a file that both a test and a peer ran gets one set of statements, with their counts
// added. `remapCoverage` is not a public API; it has the same signature in @vitest/coverage-v8 4.1
// and 5, and test/coverage.test.ts fails the day it changes.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FunctionCoverage, PeerScript } from './read.js'
import type { RanCode, RanCodeFinder } from './sources.js'

/** istanbul's per-file data (`FileCoverageData`), as far as the merge reads it. */
interface FileCoverageData {
  s: Record<string, number>
  f: Record<string, number>
  b: Record<string, number[]>
}

/** The part of @vitest/coverage-v8's provider used here. */
export interface V8Provider {
  name: string
  version?: string
  /** Public (BaseCoverageProvider): `coverage.include` and not `coverage.exclude`. */
  isIncluded(file: string): boolean
  remapCoverage?: (
    url: string,
    wrapperLength: number,
    code: RanCode,
    functions: FunctionCoverage[],
  ) => Promise<Record<string, FileCoverageData>>
}

/** The part of istanbul's CoverageMap used here (Vitest 4.1 and 5 pass one to `onCoverage`). */
export interface CoverageMap {
  files(): string[]
  fileCoverageFor(file: string): { data: FileCoverageData }
  filter(keep: (file: string) => boolean): void
  merge(data: Record<string, unknown>): void
}

export interface Converted {
  /** One istanbul map per script (two URLs of one file, such as `?query` imports, add up). */
  maps: Record<string, FileCoverageData>[]
  /** Files whose code changed since the peers ran it: left out. */
  changed: string[]
}

/** Convert `scripts` with the provider, at most `concurrency` at a time. */
export async function convertScripts(
  scripts: PeerScript[],
  provider: V8Provider & Required<Pick<V8Provider, 'remapCoverage'>>,
  finder: RanCodeFinder,
  concurrency: number,
): Promise<Converted> {
  const converted: Converted = { maps: [], changed: [] }
  const convertOne = async ({ url, length, functions }: PeerScript) => {
    const file = fileURLToPath(url)
    const code = await finder.find(file, url, length)
    if (code === 'missing') return
    if (code === 'changed') {
      converted.changed.push(file)
      return
    }
    converted.maps.push(await provider.remapCoverage(url, 0, code, functions))
  }
  for (let i = 0; i < scripts.length; i += Math.max(1, concurrency))
    await Promise.all(scripts.slice(i, i + Math.max(1, concurrency)).map(convertOne))
  return converted
}

/**
 * Merge the peers' coverage into `map`, keeping only files that exist and, with
 * `excludeAfterRemap`, that `isIncluded` admits (the provider's own last filter). A file the map
 * holds without a single hit (listed by `coverage.include` but run only by peers) is replaced
 * rather than merged: its zero counts say nothing the peers' data does not.
 */
export function mergeInto(map: CoverageMap, converted: Converted, keep: (file: string) => boolean): void {
  const files = new Set(converted.maps.flatMap((data) => Object.keys(data)))
  for (const file of files) if (!existsSync(file) || !keep(file)) files.delete(file)
  const present = new Set(map.files())
  const empty = new Set([...files].filter((file) => present.has(file) && !hasHits(map.fileCoverageFor(file).data)))
  if (empty.size > 0) map.filter((file) => !empty.has(file))
  for (const data of converted.maps)
    map.merge(Object.fromEntries(Object.entries(data).filter(([file]) => files.has(file))))
}

function hasHits({ s, f, b }: FileCoverageData): boolean {
  return (
    Object.values(s).some((n) => n > 0) ||
    Object.values(f).some((n) => n > 0) ||
    Object.values(b).some((counts) => counts.some((n) => n > 0))
  )
}
