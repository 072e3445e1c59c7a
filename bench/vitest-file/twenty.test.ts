// Bench file: 20 tests, each with its own peer (`peer`, warm or not), one file-scoped peer, a
// bare child process spawned by hand (`bare`, the floor), or nothing (`plain`). `take`: tests
// that time their `peer` fixture (from beforeEach to the test body) and append it, in ms, to
// BENCH_TAKE_OUT with whether a spare was handed over, each then waiting BENCH_TAKE_GAP ms (so that a spare is ready for the next).
import { spawn } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { beforeEach, expect } from 'vitest'
import { test as base, type Peer, peerFixture } from 'vitest-peer'

const test = base.extend<{ shared: Peer }>({ shared: peerFixture({ scope: 'file' }) })
const kind = process.env.BENCH_KIND ?? 'plain'

/** A bare child: spawn with IPC, one request over advanced IPC, kill. */
async function bareChild(): Promise<void> {
  const child = spawn(process.execPath, ['-e', "process.on('message',(m)=>process.send(m))"], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  })
  await new Promise((resolve) => {
    child.once('message', resolve)
    child.send(1)
  })
  child.kill()
  await new Promise((resolve) => child.once('exit', resolve))
}

let before = 0
beforeEach(() => {
  before = performance.now()
})

const count = kind === 'take' ? Number(process.env.BENCH_TAKE_TESTS ?? 12) : 20
for (let i = 0; i < count; i++) {
  if (kind === 'shared')
    test(`test ${i}`, async ({ shared }) => {
      expect(await shared.call('node:os', 'platform')).toBe(process.platform)
    })
  else if (kind === 'peer')
    test(`test ${i}`, async ({ peer }) => {
      expect(await peer.call('node:os', 'platform')).toBe(process.platform)
    })
  else if (kind === 'take')
    test(`test ${i}`, async ({ peer }) => {
      const ms = performance.now() - before
      // A spare keeps the command line it booted with: spare-warm-<n>-<pid>.
      appendFileSync(process.env.BENCH_TAKE_OUT!, `${ms} ${peer.command.includes('spare-warm') ? 'spare' : 'boot'}\n`)
      expect(await peer.call('node:os', 'platform')).toBe(process.platform)
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_TAKE_GAP ?? 300)))
    })
  else if (kind === 'bare') test(`test ${i}`, bareChild)
  else test(`test ${i}`, () => expect(process.platform).toBeTypeOf('string'))
}
