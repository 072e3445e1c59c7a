// Runs the `modules` fixture project in a child Vitest: peers find modules as the test file's own
// imports do, in the module styles of real TypeScript projects (see the fixture's test file).
import { expect, test } from 'vitest'
import { startVitest } from './helpers/child-vitest.js'
import { alive } from './helpers/proc.js'

test.each(['forks', 'threads'])(
  '%s pool: NodeNext .js specifiers and import() inside evaluate work in peers, and no peer outlives the run',
  async (pool) => {
    const run = startVitest('modules', { args: [`--pool=${pool}`] })
    try {
      const status = await run.exited
      const results = run.json().testResults.flatMap((file: any) => file.assertionResults)
      const failed = results.filter((r: any) => r.status !== 'passed')
      expect(failed.map((r: any) => `${r.title}: ${r.failureMessages.join('\n')}`)).toEqual([])
      expect(results.map((r: any) => r.title)).toHaveLength(4)
      expect(status.code, run.stdout() + run.stderr()).toBe(0)
      expect(
        run
          .peers()
          .map((p) => p.test)
          .sort(),
      ).toEqual(['auto', 'cast', 'evaluate', 'preload'])
      expect(alive(run.peers().map((p) => p.pid))).toEqual([])
    } finally {
      run.dispose()
    }
  },
)
