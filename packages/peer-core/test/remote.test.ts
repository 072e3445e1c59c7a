// Origin side: wrapped and remote peers (`exec: [command, args]`). The peer side needs only
// `node`: the runtime is sent over stdin by a small bootstrap (`node -e …`). Over a wrapper script
// and over a real ssh hop to a private sshd on 127.0.0.1 (fixtures/sshd.ts), with the link
// holding across ssh: SIGKILL of the origin ends the remote node.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { type Connection, type Peer, startPeer } from '@vitest-peer/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Sshd, startSshd } from '../../../fixtures/sshd.js'
import { BOOTSTRAP } from '../src/origin/connection/bootstrap.js'
import { connectionLabel } from './connections.js'
import { fixture, fixturesDir, isGone, track, waitGone } from './helpers.js'

const byteStreams: Connection[] = ['stdio', { tcp: 0 }, { uds: true }]
const cases = byteStreams.map((connection) => ({ label: connectionLabel(connection), connection }))

/** What a peer started by the bootstrap can tell about itself. */
function selfReport(peer: Peer) {
  return peer.evaluate(() => ({
    pid: process.pid,
    wrapped: process.env.VITEST_PEER_WRAPPED ?? null,
    bootstrapped: process.execArgv[0] === '-e',
    runtimeFile: new Error('where').stack?.includes('peer-runtime.js') ?? false,
  }))
}

describe.each(cases)('a wrapped exec over $label', ({ connection }) => {
  test('the wrapper starts node, the runtime arrives over stdin, and the peer serves', async () => {
    const peer = track(await startPeer({ connection, exec: ['sh', [fixture('wrapper.sh')]], cwd: fixturesDir }))
    const report = await selfReport(peer)
    expect(report).toMatchObject({ pid: peer.pid, wrapped: 'yes', bootstrapped: true })
    expect(await peer.call('node:path', 'basename', ['/a/b.txt'])).toBe('b.txt')
    // Relative specifiers still resolve against the peer's cwd.
    expect(await peer.call('./gate.mjs', 'release', [])).toBe('released')
    await peer.stop()
    expect(peer.state).toEqual({ down: { cause: 'stopped', exitCode: 0, signal: null } })
  })
})

describe('the bootstrap (node -e) on its own', () => {
  /** Run the bootstrap with `chunks` on stdin; resolves with its exit code and stdout. */
  function bootstrap(chunks: Buffer[]): Promise<{ code: number | null; stdout: string }> {
    const child = spawn(process.execPath, ['-e', BOOTSTRAP, '--', 'arg1'], { stdio: ['pipe', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text
    })
    for (const chunk of chunks) child.stdin.write(chunk)
    child.stdin.end()
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout })))
  }
  /** A stand-in runtime: echoes the rest of stdin, and shows it runs as a CommonJS module. */
  const source = Buffer.from(
    "let all='';process.stdin.setEncoding('utf8').on('data',(d)=>{all+=d}).on('end',()=>{" +
      "process.stdout.write(JSON.stringify({all,file:require('path').basename(__filename),argv:process.argv.slice(1)}))})",
  )
  const block = Buffer.concat([Buffer.alloc(4), source])
  block.writeUInt32BE(source.length)

  test.each([
    ['in one write with what follows', [Buffer.concat([block, Buffer.from('rest')])]],
    ['byte by byte', [...block, ...Buffer.from('rest')].map((b) => Buffer.from([b]))],
    [
      'cut inside the length prefix and the source',
      [block.subarray(0, 3), block.subarray(3, 40), block.subarray(40), Buffer.from('re'), Buffer.from('st')],
    ],
  ])('hands over everything after the runtime, however it arrives: %s', async (_, chunks) => {
    const { code, stdout } = await bootstrap(chunks)
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ all: 'rest', file: 'peer-runtime.js', argv: ['arg1'] })
  })

  test('stdin ending before the runtime is complete exits 1', async () => {
    expect(await bootstrap([block.subarray(0, 10)])).toEqual({ code: 1, stdout: '' })
  })
})

test('postProcessArgs has the last word: it sees the whole vector, wrapper arguments included', async () => {
  let seen: string[] = []
  const peer = track(
    await startPeer({
      connection: 'stdio',
      exec: ['sh', [fixture('wrapper.sh')]],
      args: ['--no-warnings'],
      postProcessArgs: (argv) => {
        seen = argv
        return [...argv, '--extra-flag-for-the-runtime']
      },
    }),
  )
  expect(seen.slice(0, 4)).toEqual([fixture('wrapper.sh'), '--no-warnings', '-e', expect.stringContaining('_compile')])
  expect(peer.argv.at(-1)).toBe('--extra-flag-for-the-runtime')
  expect(await peer.evaluate(() => process.argv.at(-1))).toBe('--extra-flag-for-the-runtime')
})

describe('over ssh (a private sshd on 127.0.0.1)', () => {
  let sshd: Sshd
  beforeAll(async () => {
    sshd = await startSshd()
  }, 300_000)
  afterAll(() => sshd?.stop())

  /**
   * Start through `ssh … node`. ssh joins the words after the host into one line for the remote
   * shell, so postProcessArgs quotes each of them (OTP's post_process_args exists for this).
   */
  function overSsh(connection: Connection) {
    const quoteFrom = sshd.sshArgs.length
    return {
      connection,
      exec: ['ssh', [...sshd.sshArgs, 'node']] as [string, string[]],
      quoteFrom,
      postProcessArgs: (argv: string[]) => [...argv.slice(0, quoteFrom), ...argv.slice(quoteFrom).map(shellQuote)],
    }
  }

  test.each(cases)('$label: the peer runs remotely with only node installed, and stops', async ({ connection }) => {
    const { quoteFrom: _, ...options } = overSsh(connection)
    const peer = track(await startPeer(options))
    const report = await selfReport(peer)
    // The remote node is not the local ssh client.
    expect(report.pid).not.toBe(peer.pid)
    expect(report).toMatchObject({ bootstrapped: true, runtimeFile: true })
    expect(await peer.call('node:os', 'platform')).toBe(process.platform)
    await peer.stop()
    expect(await waitGone(report.pid, 2000)).toBe(true)
  })

  test.each([
    { label: 'stdio', connection: 'stdio' as Connection },
    { label: 'tcp 0', connection: { tcp: 0 } as Connection },
  ])('$label: SIGKILL of the origin ends the remote peer', async ({ connection }) => {
    const { postProcessArgs: _, ...options } = overSsh(connection)
    const origin = spawn(process.execPath, [fixture('remote-origin.mjs'), JSON.stringify(options)], {
      cwd: fixturesDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: origin.stdout }).once('line', resolve)
        origin.once('exit', (code) => reject(new Error(`origin exited (${code}) before starting its peer`)))
      })
      const { pid, remotePid } = JSON.parse(line) as { pid: number; remotePid: number }
      expect(isGone(remotePid)).toBe(false)
      origin.kill('SIGKILL')
      expect(await waitGone(remotePid, 2000)).toBe(true)
      expect(await waitGone(pid, 2000)).toBe(true)
    } finally {
      origin.kill('SIGKILL')
    }
  })
})

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`
}
