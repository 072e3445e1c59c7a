// A peer on another host, started through `ssh host node`: the control connection is ssh's
// stdin/stdout (`connection: 'stdio'`), and nothing is installed on the host but Node.js (the
// peer runtime is sent over stdin). Here the host is 127.0.0.1, through a private sshd the test
// starts (fixtures/sshd.ts); in a project it is a real machine you can `ssh` to without a password.
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, expect } from 'vitest'
import { test, type VitestPeerOptions } from 'vitest-peer'
import { type Sshd, startSshd } from '../../fixtures/sshd.js'

let sshd: Sshd | undefined
let noSshd = ''

beforeAll(async () => {
  try {
    sshd = await startSshd()
  } catch (error) {
    // As root (CI), the helper installs and runs sshd: a failure there is a failure.
    if (process.getuid?.() === 0) throw error
    noSshd = `examples/remote-ssh is skipped: no sshd can run here (${String(error).split('\n')[0]})`
    console.warn(noSshd)
  }
}, 300_000)
afterAll(() => sshd?.stop())

/** Options that start a peer through `ssh … node` on the host `sshd` serves. */
function overSsh(sshd: Sshd): VitestPeerOptions {
  // In a project: exec: ['ssh', ['build-host', 'node']]; here sshArgs add a key, a port and a
  // known_hosts file of the test's own, then user@127.0.0.1.
  return {
    exec: ['ssh', [...sshd.sshArgs, 'node']],
    connection: 'stdio',
    // ssh joins the words after the host into one line for the remote shell: quote each of them.
    postProcessArgs: (argv) => [...argv.slice(0, sshd.sshArgs.length), ...argv.slice(sshd.sshArgs.length).map(quote)],
  }
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`

test('a peer runs on the host, in an ssh session, and talks to the test', async ({ startPeer, skip }) => {
  if (!sshd) return skip(noSshd)
  const peer = await startPeer(overSsh(sshd))
  // evaluate ships the function's source: nothing of the project needs to be on the host.
  const remote = await peer.evaluate(() => ({ pid: process.pid, ssh: process.env.SSH_CONNECTION }))
  expect(remote.pid).not.toBe(peer.pid) // peer.pid is the local ssh client
  expect(remote.ssh).toMatch(new RegExp(` 127\\.0\\.0\\.1 ${sshd.port}$`)) // set by sshd for the session
  expect(await peer.evaluate((a, b) => a + b, 40, 2)).toBe(42)
  // Its console output comes back over ssh too.
  await peer.evaluate(() => console.log('hello from the host'))
  expect(await peer.waitForOutput('hello from')).toBe('hello from the host')
})

test('stopping the peer ends the node on the host', async ({ startPeer, skip }) => {
  if (!sshd) return skip(noSshd)
  const peer = await startPeer(overSsh(sshd))
  const remotePid = await peer.evaluate(() => process.pid)
  expect(existsSync(`/proc/${remotePid}`)).toBe(true)
  await peer.stop()
  // ssh exits once the remote command has exited and been reaped: by now it is gone.
  expect(existsSync(`/proc/${remotePid}`)).toBe(false)
  expect(peer.state).toEqual({ down: { cause: 'stopped', exitCode: 0, signal: null } })
})
