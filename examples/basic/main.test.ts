// Runs the example as a user would (`node main.mjs`) and checks its story and exit code.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)

test('examples/basic/main.mjs tells its story and exits 0', async () => {
  const cwd = fileURLToPath(new URL('.', import.meta.url))
  const { stdout } = await run(process.execPath, ['main.mjs'], { cwd, timeout: 25_000 })
  expect(stdout).toMatch(/origin: alice is "running" with pid \d+/)
  expect(stdout).toMatch(/origin: bob is "running" with pid \d+/)
  expect(stdout).toMatch(/alice answered: Hello, world! \(greeting #1 from pid \d+\)/)
  expect(stdout).toMatch(/bob answered: Hello, vitest! \(greeting #1 from pid \d+\)/)
  expect(stdout).toContain('bob also sent a message: {"greeted":"vitest","count":1}')
  expect(stdout).toContain('evaluate() in bob: 6 * 7 = 42')
  expect(stdout).toMatch(/ {2}\| \[greeter \d+\] greeting world/)
  expect(stdout).toContain('the waiting receive() failed with PeerDownError (ERR_PEER_DOWN)')
  expect(stdout).toContain('alice is down: exited with code 1 -> {"cause":"crashed","exitCode":1,"signal":null}')
  expect(stdout).toContain('the greeter exploded')
  expect(stdout).toMatch(/bob is down: stopped \(exited with code 0\)/)
  expect(stdout).toContain('done: both peers are gone, nothing is left running.')
  // And it is true: no peer process is left (a zombie of PID 1 counts as gone).
  const pids = [...stdout.matchAll(/is "running" with pid (\d+)/g)].map((m) => Number(m[1]))
  expect(pids).toHaveLength(2)
  for (const pid of pids) expect(isGone(pid), `peer pid ${pid} is still running`).toBe(true)
})

function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}
