// Vitest worker side: where a peer's Node diagnostic reports go. A peer started with a Node
// binary gets the flags that make Node write a report when it dies of a fatal error or an
// uncaught exception (https://nodejs.org/api/report.html), into
// `<outDir>/<test file>/<full test name>/`; the failure report lists the files found there.
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import type { RunnerTestCase } from 'vitest'
import { fullName, sanitize } from './naming.js'

/** The report folder of one test's peers. */
export class CrashReportDir {
  private constructor(
    readonly path: string,
    private readonly outDir: string,
  ) {}

  /** Create the folder of `task`'s peers under `outDir`. */
  static create(outDir: string, task: RunnerTestCase): CrashReportDir {
    const path = join(outDir, task.file.name, sanitize(fullName(task)))
    mkdirSync(path, { recursive: true })
    return new CrashReportDir(path, outDir)
  }

  /** The Node flags that write the reports here. */
  nodeArgs(): string[] {
    return ['--report-on-fatalerror', '--report-uncaught-exception', `--report-directory=${this.path}`]
  }

  /** The reports of process `pid` (`report.<date>.<time>.<pid>.<tid>.<seq>.json`). */
  reportsOf(pid: number): string[] {
    const pattern = new RegExp(`^report\\.\\d+\\.\\d+\\.${pid}\\.\\d+\\.\\d+\\.json$`)
    try {
      return readdirSync(this.path)
        .filter((f) => pattern.test(f))
        .map((f) => join(this.path, f))
    } catch {
      return []
    }
  }

  /** Remove the folder and its parents up to (not including) `outDir` while they are empty. */
  removeIfEmpty(): void {
    const root = this.outDir
    for (
      let current = this.path;
      current.startsWith(root + sep) && relative(root, current) !== '';
      current = dirname(current)
    ) {
      try {
        rmdirSync(current)
      } catch {
        return
      }
    }
  }
}
