// The origin side of the floor: a bare `node raw-child.cjs` on one channel, with no peer library.
// Started through `setpriv --pdeathsig KILL` where util-linux has it (as the engine links its
// peers), so that it dies with the bench process even when the bench fails.
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decoder, encode } from './frames.cjs'

const RAW_CHILD = fileURLToPath(new URL('../raw-child.cjs', import.meta.url))
const ECHO = new URL('./echo.mjs', import.meta.url).href
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => {
  try {
    accessSync(path, constants.X_OK)
    return process.platform === 'linux'
  } catch {
    return false
  }
})

/** `[command, ...args]` that runs `node ...args` linked to this process where possible. */
export const linked = (args) =>
  SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', process.execPath, ...args] : [process.execPath, ...args]

let sockets = 0

/**
 * Starts a raw child on `mode` ('ipc', 'ipc-json', 'stdio', 'tcp', 'uds'); resolves once it has
 * sent its ready message. `call()` is one request/response, `echo(p)` sends p and gets it back.
 */
export async function startRaw(mode) {
  let server
  let address = ''
  if (mode === 'tcp' || mode === 'uds') {
    server = createServer({ noDelay: true })
    const where =
      mode === 'tcp'
        ? { port: 0, host: '127.0.0.1' }
        : { path: join(tmpdir(), `bench-raw-${process.pid}-${++sockets}.sock`) }
    await new Promise((resolve) => server.listen(where, resolve))
    address = mode === 'tcp' ? String(server.address().port) : where.path
  }
  const ipc = mode === 'ipc' || mode === 'ipc-json'
  const [exec, ...args] = linked([RAW_CHILD, mode, address])
  const child = spawn(exec, args, {
    stdio: ipc
      ? ['ignore', 'ignore', 'inherit', 'ipc']
      : mode === 'stdio'
        ? ['pipe', 'pipe', 'inherit']
        : ['ignore', 'ignore', 'inherit'],
    serialization: mode === 'ipc' ? 'advanced' : 'json',
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const pending = new Map()
  let next = 0
  let readyResolve
  const ready = new Promise((resolve) => {
    readyResolve = resolve
  })
  const onMessage = (m) => {
    if (m.ready) return readyResolve()
    const resolve = pending.get(m.id)
    pending.delete(m.id)
    resolve?.(m.r)
  }
  let write
  if (ipc) {
    child.on('message', onMessage)
    write = (m) => child.send(m)
  } else if (mode === 'stdio') {
    child.stdout.on('data', decoder(onMessage))
    write = (m) => {
      const [head, body] = encode(m)
      child.stdin.cork()
      child.stdin.write(head)
      child.stdin.write(body)
      child.stdin.uncork()
    }
  } else {
    const socket = await Promise.race([
      new Promise((resolve) => server.once('connection', resolve)),
      exited.then(() => {
        throw new Error(`raw ${mode} child exited before connecting`)
      }),
    ])
    server.close()
    socket.setNoDelay(true)
    socket.on('data', decoder(onMessage))
    socket.on('error', () => {})
    write = (m) => {
      const [head, body] = encode(m)
      socket.cork()
      socket.write(head)
      socket.write(body)
      socket.uncork()
    }
    child.closeChannel = () => socket.end()
  }
  await Promise.race([ready, exited.then(() => Promise.reject(new Error(`raw ${mode} child exited before ready`)))])
  const request = (m) =>
    new Promise((resolve) => {
      const id = ++next
      pending.set(id, resolve)
      write({ id, ...m })
    })
  return {
    pid: child.pid,
    exited,
    call: () => request({ op: 'call' }),
    /** `ping()` of lib/echo.mjs, which the child imports on its first such request. */
    callFile: () => request({ op: 'file', f: ECHO }),
    echo: (p) => request({ op: 'echo', p }),
    /** Asks the child to exit; resolves when it has. */
    exit: () => (write({ op: 'exit' }), exited),
    /** Closes the channel (the child exits on it); resolves when it has. */
    close: () => {
      if (ipc) child.disconnect()
      else if (mode === 'stdio') child.stdin.end()
      else child.closeChannel()
      return exited
    },
    kill: (signal = 'SIGKILL') => (child.exitCode === null && child.signalCode === null && child.kill(signal), exited),
  }
}

/** A `node -e 0` from spawn to exit: the start of Node itself. */
export function nodeE0() {
  const [exec, ...args] = linked(['-e', '0'])
  const child = spawn(exec, args, { stdio: 'ignore' })
  return new Promise((resolve) => child.once('exit', resolve))
}
