// Vitest main process: puts the code that ran inside peers into the run's coverage report. Vitest
// calls a reporter's `onCoverage` with the run's coverage map after the provider has processed the
// workers' coverage, and runs the provider's reporters and thresholds on that map afterwards
// (https://vitest.dev/api/advanced/reporters#oncoverage). With the v8 provider the map is an
// istanbul CoverageMap: this reporter adds the peers' coverage to it, converted and filtered by the
// provider itself. Every report (text, json, html, lcov…), the thresholds and a blob for
// `--merge-reports` then include it.
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Reporter, Vitest } from 'vitest/node'
import { findTranspiler } from '../../shared/transpiler.js'
import { type CoverageMap, convertScripts, mergeInto, type V8Provider } from './convert.js'
import { readPeerCoverage } from './read.js'
import { RanCodeFinder } from './sources.js'

/** vitest-peer's own code and @vitest-peer/core's, which every peer runs: never the project's. */
const OWN_DIST = [
  new URL('.', import.meta.url).href,
  `${pathToFileURL(dirname(createRequire(import.meta.url).resolve('@vitest-peer/core'))).href}/`,
]

interface CoverageOptions {
  excludeAfterRemap?: boolean
  cleanOnRerun?: boolean
  processingConcurrency?: number
}

/** Vitest constructs it with the options the plugin gave: the run's coverage folder. */
export default class PeerCoverageReporter implements Reporter {
  private vitest: Vitest | undefined
  private readonly finder = new RanCodeFinder(findTranspiler())

  constructor(private readonly options: { folder: string }) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    vitest.onClose(() => rmSync(this.options.folder, { recursive: true, force: true }))
  }

  async onCoverage(coverage: unknown): Promise<void> {
    const vitest = this.vitest
    if (vitest === undefined) return
    // The provider exists by now: this returns it (https://vitest.dev/api/advanced/vitest#createcoverageprovider).
    const provider = (await vitest.createCoverageProvider()) as V8Provider | null
    if (provider === null) return
    if (provider.name !== 'v8') {
      vitest.logger.warn(
        `vitest-peer: code that ran inside peers is not in this ${provider.name} coverage report: only the v8 provider counts it (see vitest-peer's README, "Coverage").`,
      )
      return
    }
    if (typeof provider.remapCoverage !== 'function') {
      vitest.logger.warn(
        `vitest-peer: @vitest/coverage-v8 ${provider.version ?? ''} has no remapCoverage(): code that ran inside peers is left out of the coverage report.`,
      )
      return
    }
    try {
      await this.addPeerCoverage(vitest, provider as Required<V8Provider>, coverage as CoverageMap)
    } catch (error) {
      vitest.logger.warn(
        `vitest-peer: code that ran inside peers is left out of the coverage report: ${(error as Error)?.stack ?? error}`,
      )
    }
  }

  private async addPeerCoverage(vitest: Vitest, provider: Required<V8Provider>, map: CoverageMap): Promise<void> {
    const options = vitest.config.coverage as CoverageOptions
    const keep = (url: string) =>
      url.startsWith('file:') &&
      !url.includes('/node_modules/') &&
      !OWN_DIST.some((dist) => url.startsWith(dist)) &&
      provider.isIncluded(fileURLToPath(url))
    const found = readPeerCoverage(this.options.folder, keep)
    const converted = await convertScripts(found.scripts, provider, this.finder, options.processingConcurrency ?? 1)
    mergeInto(map, converted, (file) => !options.excludeAfterRemap || provider.isIncluded(file))
    if (found.unreadable.length > 0) {
      vitest.logger.warn(
        `vitest-peer: the coverage file of ${plural(found.unreadable.length, 'peer process', 'peer processes')} (pid ${found.unreadable.join(', ')}) is cut off (killed while Node wrote it); that coverage is left out of the report.`,
      )
    }
    for (const file of converted.changed) {
      vitest.logger.warn(
        `vitest-peer: peers' coverage of ${file} is left out of the report: the code they ran is not this file as it is now (it changed during the run, or a loader other than vitest-peer's ran it).`,
      )
    }
    // Like the provider's own results, the peers' go when the next run starts afresh.
    if (options.cleanOnRerun !== false) for (const file of found.files) rmSync(file, { force: true })
  }
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
