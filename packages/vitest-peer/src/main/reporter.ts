// Vitest main process: the per-test half of the safety net. When a test's result arrives, its
// peers must be gone (the worker stops them before the test ends and then drops their records);
// a recorded peer that still runs has leaked and is killed and reported here.
import type { Reporter, TestCase, Vitest } from 'vitest/node'
import { describeLeak, readRecords, runFolder, sweep } from '../shared/registry.js'

export default class PeerLeakReporter implements Reporter {
  private vitest: Vitest | undefined
  private readonly run = runFolder()

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestCaseResult(testCase: TestCase): void {
    // Cheap when nothing leaked: one readdir of a usually empty folder per project.
    if (readRecords(this.run).length === 0) return
    for (const record of sweep(this.run, (r) => r.testId === testCase.id)) {
      const line = describeLeak(record, 'after its test ended')
      if (this.vitest) this.vitest.logger.error(line)
      else process.stderr.write(`${line}\n`)
    }
  }
}
