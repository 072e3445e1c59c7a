// Test helper (origin side): a private OpenSSH server on 127.0.0.1 for the remote-peer tests.
// It installs Debian's openssh-server when /usr/sbin/sshd is missing (CI runs as root), makes
// throw-away host and user keys in a temp dir, writes its own sshd_config there, starts
// `sshd -D -e -f cfg` as a child on a free loopback port, and resolves once a real
// `ssh … true` has logged in. `stop()` ends it and removes the temp dir.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

const SSHD = '/usr/sbin/sshd'
/** apt-get may wait for another dpkg run; this bounds the install (seconds). */
const APT_LOCK_TIMEOUT_S = 120
/** How long sshd may take to print 'Server listening' and accept a first login. */
const SSHD_READY_MS = 20_000
/** How long `stop()` waits for sshd to exit after SIGTERM before SIGKILL. */
const SSHD_STOP_MS = 5_000

/** A running private sshd. */
export interface Sshd {
  host: '127.0.0.1'
  port: number
  user: string
  /** `ssh` arguments up to and including the destination: append the remote command. */
  sshArgs: string[]
  /** The server's own log (stderr of `sshd -e`), for failure messages. */
  log(): string
  stop(): Promise<void>
}

/** Install openssh-server if `sshd` is missing. Needs root, as in CI. */
export async function ensureSshd(): Promise<void> {
  if (existsSync(SSHD)) return
  if (process.getuid?.() !== 0) {
    throw new Error(`${SSHD} is missing and this process is not root, so it cannot install openssh-server`)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () =>
    run(
      'apt-get',
      ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`, 'install', '-y', '--no-install-recommends', 'openssh-server'],
      { env, maxBuffer: 64 * 1024 * 1024 },
    )
  try {
    await install()
  } catch {
    // A fresh machine has no package lists yet.
    await run('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`, 'update'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    })
    await install()
  }
  if (!existsSync(SSHD)) throw new Error(`openssh-server installed but ${SSHD} is still missing`)
}

/** Start a private sshd on a free loopback port; resolves when a login works. */
export async function startSshd(): Promise<Sshd> {
  await ensureSshd()
  // sshd refuses to start without its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  const dir = await mkdtemp(join(tmpdir(), 'vitest-peer-sshd-'))
  try {
    return await startIn(dir)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

async function startIn(dir: string): Promise<Sshd> {
  const hostKey = join(dir, 'host_ed25519')
  const userKey = join(dir, 'user_ed25519')
  await Promise.all([
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vitest-peer-host', '-f', hostKey]),
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vitest-peer-user', '-f', userKey]),
  ])
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${userKey}.pub`))
  const port = await freePort()
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ')
  await writeFile(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`)
  const config = join(dir, 'sshd_config')
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      // The temp dir and keys are not owned the way sshd's default checks want.
      'StrictModes no',
      'LogLevel INFO',
      'PrintMotd no',
      'X11Forwarding no',
      '',
    ].join('\n'),
  )
  const user = userInfo().username
  const sshArgs = [
    '-F',
    '/dev/null',
    '-i',
    userKey,
    '-p',
    String(port),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o',
    'LogLevel=ERROR',
    `${user}@127.0.0.1`,
  ]
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    log += text
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const sshd: Sshd = {
    host: '127.0.0.1',
    port,
    user,
    sshArgs,
    log: () => log,
    stop: async () => {
      await stopChild(child, exited)
      await rm(dir, { recursive: true, force: true })
    },
  }
  try {
    await waitListening(child, () => log, port)
    // 'Server listening' means bound; a real login proves keys and config are right.
    await run('ssh', [...sshArgs, 'true'], { timeout: SSHD_READY_MS })
  } catch (error) {
    await stopChild(child, exited)
    throw new Error(`private sshd on 127.0.0.1:${port} did not accept a login: ${String(error)}\nsshd log:\n${log}`)
  }
  return sshd
}

/** Resolve on sshd's 'Server listening on 127.0.0.1 port N' line; reject if it exits first. */
function waitListening(child: ChildProcess, log: () => string, port: number): Promise<void> {
  const line = `Server listening on 127.0.0.1 port ${port}`
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer)
      child.stderr?.off('data', check)
      child.off('exit', onExit)
      if (error) reject(error)
      else resolve()
    }
    const check = () => {
      if (log().includes(line)) done()
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(new Error(`sshd exited (${signal ?? code}) before listening`))
    const timer = setTimeout(() => done(new Error(`sshd did not listen within ${SSHD_READY_MS} ms`)), SSHD_READY_MS)
    child.stderr?.on('data', check)
    child.once('exit', onExit)
    check()
  })
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), SSHD_STOP_MS)
  await exited
  clearTimeout(timer)
}

/** A loopback port that was free a moment ago (sshd cannot pick one itself and report it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
