// Vitest main process: the V8 coverage files the run's peers wrote. Node writes one per process
// (and one per worker thread, such as the loader-hooks thread) when it exits, named
// `coverage-<pid>-<time>-<n>.json` (https://nodejs.org/api/cli.html#node_v8_coveragedir). They are
// read here, cut down to the scripts the report may count, and merged per script across peers.

import { readdirSync, readFileSync } from 'node:fs'
import type { Profiler } from 'node:inspector'
import { createRequire } from 'node:module'
import { join } from 'node:path'

export type FunctionCoverage = Profiler.FunctionCoverage

/** One script as the peers ran it, its counts merged over every peer that ran the same code. */
export interface PeerScript {
  url: string
  /** Length of the code the peers ran (UTF-16 units): the end of the script's top-level range. */
  length: number
  functions: FunctionCoverage[]
}

export interface PeerCoverageFiles {
  scripts: PeerScript[]
  /** Every file read. */
  files: string[]
  /** Pids of peers whose file could not be read (cut off: the peer was killed while Node wrote it). */
  unreadable: number[]
}

type MergeScripts = (scripts: Profiler.ScriptCoverage[]) => Profiler.ScriptCoverage | undefined

/**
 * Read every coverage file in `folder`; `keep(url)` picks the scripts that count. The same URL
 * with code of another length (the file changed between two peers) stays a separate script.
 */
export function readPeerCoverage(folder: string, keep: (url: string) => boolean): PeerCoverageFiles {
  const found: PeerCoverageFiles = { scripts: [], files: [], unreadable: [] }
  let names: string[]
  try {
    names = readdirSync(folder).filter((name) => /^coverage-.*\.json$/.test(name))
  } catch {
    return found
  }
  const byCode = new Map<string, Profiler.ScriptCoverage[]>()
  for (const name of names.sort()) {
    const file = join(folder, name)
    found.files.push(file)
    let result: Profiler.ScriptCoverage[]
    try {
      result = (JSON.parse(readFileSync(file, 'utf8')) as { result: Profiler.ScriptCoverage[] }).result
      if (!Array.isArray(result)) throw new TypeError('no result')
    } catch {
      found.unreadable.push(Number(/^coverage-(\d+)-/.exec(name)?.[1] ?? 0))
      continue
    }
    for (const script of result) {
      if (!keep(script.url)) continue
      const key = `${scriptLength(script)}:${script.url}`
      const same = byCode.get(key)
      if (same === undefined) byCode.set(key, [script])
      else same.push(script)
    }
  }
  // The merge the v8 provider uses for the workers' coverage (@bcoe/v8-coverage); loaded only here.
  const { mergeScriptCovs } = createRequire(import.meta.url)('@bcoe/v8-coverage') as { mergeScriptCovs: MergeScripts }
  for (const same of byCode.values()) {
    const merged = mergeScriptCovs(same)
    if (merged !== undefined)
      found.scripts.push({ url: merged.url, length: scriptLength(same[0]!), functions: merged.functions })
  }
  return found
}

/** A script's top-level function spans all of its code: the largest end offset is its length. */
function scriptLength(script: Profiler.ScriptCoverage): number {
  let length = 0
  for (const fn of script.functions) length = Math.max(length, fn.ranges[0]?.endOffset ?? 0)
  return length
}
