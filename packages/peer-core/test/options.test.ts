// Origin side: `startPeer` refuses invalid options before anything is spawned (OTP's
// verify_args), with a PeerOptionsError that names the option and the value.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PeerBootError, type PeerOptions, PeerOptionsError, startPeer } from '@vitest-peer/core'
import { afterAll, describe, expect, test } from 'vitest'
import { procState, rejectionOf, track } from './helpers.js'

// Every start below goes through a wrapper that writes a marker file when it runs, so the suite
// can tell that a refused start spawned nothing at all.
const dir = mkdtempSync(join(tmpdir(), 'vitest-peer-options-'))
const marker = join(dir, 'spawned')
const spawnMarker: PeerOptions['exec'] = ['/bin/sh', ['-c', 'echo spawned > "$0"; exec "$@"', marker, process.execPath]]

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Starts with `options` (through the marker wrapper unless `exec` is given) and expects a PeerOptionsError. */
async function refused(
  options: Record<string, unknown>,
  option: string | RegExp,
  value: unknown,
): Promise<{ start: Promise<unknown> }> {
  const start = startPeer({ exec: spawnMarker, ...options } as PeerOptions)
  const error = await rejectionOf(start)
  expect(error).toBeInstanceOf(PeerOptionsError)
  expect(error).toMatchObject({ code: 'ERR_PEER_OPTIONS' })
  expect(error.option).toMatch(option)
  expect(error.value).toStrictEqual(value)
  expect(existsSync(marker), 'a peer process was spawned for invalid options').toBe(false)
  return { start }
}

describe('startPeer option validation', () => {
  test('name: characters outside [A-Za-z0-9_-]', async () => {
    const { start } = await refused({ name: 'my peer' }, 'name', 'my peer')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`name\`: "my peer"; expected a string of 1 to 200 characters [A-Za-z0-9_-]]`,
    )
    await refused({ name: 'a/b' }, 'name', 'a/b')
    await refused({ name: 'peer.1' }, 'name', 'peer.1')
    await refused({ name: 'é' }, 'name', 'é')
  })

  test('name: empty or not a string', async () => {
    const { start } = await refused({ name: '' }, 'name', '')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`name\`: ""; expected a string of 1 to 200 characters [A-Za-z0-9_-]]`,
    )
    await refused({ name: 42 }, 'name', 42)
  })

  test('connection: unknown kind', async () => {
    const { start } = await refused({ connection: 'tcp' }, 'connection', 'tcp')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`connection\`: "tcp"; expected 'ipc', 'stdio', { tcp: port | { host, port } } or { uds: path | true }]`,
    )
    await refused({ connection: {} }, 'connection', {})
    await refused({ connection: { pipe: true } }, 'connection', { pipe: true })
    await refused({ connection: 7 }, 'connection', 7)
  })

  test('connection: bad tcp port or host, bad uds path', async () => {
    const { start } = await refused({ connection: { tcp: -1 } }, 'connection', { tcp: -1 })
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`connection\`: { tcp: -1 }; expected 'ipc', 'stdio', { tcp: port | { host, port } } or { uds: path | true }]`,
    )
    await refused({ connection: { tcp: 65536 } }, 'connection', { tcp: 65536 })
    await refused({ connection: { tcp: 1.5 } }, 'connection', { tcp: 1.5 })
    await refused({ connection: { tcp: { host: 5, port: 0 } } }, 'connection', { tcp: { host: 5, port: 0 } })
    await refused({ connection: { uds: 5 } }, 'connection', { uds: 5 })
    await refused({ connection: { uds: false } }, 'connection', { uds: false })
  })

  test('exec: not a program or a [command, args] tuple', async () => {
    const { start } = await refused({ exec: '' }, 'exec', '')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`exec\`: ""; expected a program path or [command, args]]`,
    )
    await refused({ exec: 42 }, 'exec', 42)
    await refused({ exec: ['ssh'] }, 'exec', ['ssh'])
    await refused({ exec: ['ssh', 'host node'] }, 'exec', ['ssh', 'host node'])
    await refused({ exec: ['ssh', ['host', 1]] }, 'exec', ['ssh', ['host', 1]])
  })

  test('args: not a string[]', async () => {
    const { start } = await refused({ args: '--inspect' }, 'args', '--inspect')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`args\`: "--inspect"; expected an array of strings]`,
    )
    await refused({ args: ['--no-warnings', 1] }, 'args', ['--no-warnings', 1])
  })

  test('postProcessArgs: not a function', async () => {
    const { start } = await refused({ postProcessArgs: ['--x'] }, 'postProcessArgs', ['--x'])
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`postProcessArgs\`: [ '--x' ]; expected a function (argv: string[]) => string[]]`,
    )
  })

  test('env: values that are not strings (undefined removes a variable)', async () => {
    // The value named is the bad variable's; the message names the variable.
    const { start } = await refused({ env: { PORT: 8080 } }, 'env', 8080)
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`env\`: 8080; expected a string, or undefined to remove the variable (env.PORT)]`,
    )
    await refused({ env: { PORT: null } }, 'env', null)
    await refused({ env: 'PORT=1' }, 'env', 'PORT=1')
    await refused({ env: ['PORT=1'] }, 'env', ['PORT=1'])
  })

  test('cwd: a directory that does not exist, or not a string', async () => {
    const missing = join(dir, 'no-such-dir')
    const { start } = await refused({ cwd: missing }, 'cwd', missing)
    await expect(rejectionOf(start).then((e) => e.message.replace(dir, '<tmp>'))).resolves.toMatchInlineSnapshot(
      `"invalid peer option \`cwd\`: "<tmp>/no-such-dir"; expected an existing directory"`,
    )
    await refused({ cwd: 42 }, 'cwd', 42)
  })

  test('waitBoot: negative, NaN or not a number/false', async () => {
    const { start } = await refused({ waitBoot: -1 }, 'waitBoot', -1)
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`waitBoot\`: -1; expected a positive number of milliseconds, or false]`,
    )
    const nan = await refused({ waitBoot: Number.NaN }, 'waitBoot', Number.NaN)
    await expect(nan.start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`waitBoot\`: NaN; expected a positive number of milliseconds, or false]`,
    )
    await refused({ waitBoot: true }, 'waitBoot', true)
    await refused({ waitBoot: '100' }, 'waitBoot', '100')
  })

  test('peerDown: not stop, continue or crash', async () => {
    const { start } = await refused({ peerDown: 'ignore' }, 'peerDown', 'ignore')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`peerDown\`: "ignore"; expected 'stop', 'continue' or 'crash']`,
    )
  })

  test('shutdown: not close, halt, { halt: ms } or ms', async () => {
    const { start } = await refused({ shutdown: 'kill' }, 'shutdown', 'kill')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`shutdown\`: "kill"; expected 'close', 'halt', { halt: ms } or a number of milliseconds (Infinity: no deadline)]`,
    )
    await refused({ shutdown: -5 }, 'shutdown', -5)
    await refused({ shutdown: Number.NaN }, 'shutdown', Number.NaN)
    await refused({ shutdown: { halt: -1 } }, 'shutdown', { halt: -1 })
    await refused({ shutdown: { halt: '5' } }, 'shutdown', { halt: '5' })
  })

  test('detached: not a boolean', async () => {
    const { start } = await refused({ detached: 'yes' }, 'detached', 'yes')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`detached\`: "yes"; expected a boolean]`,
    )
  })

  test('signal: not an AbortSignal', async () => {
    const { start } = await refused({ signal: {} }, 'signal', {})
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`signal\`: {}; expected an AbortSignal]`,
    )
    await refused({ signal: new AbortController() }, 'signal', new AbortController())
  })

  test('an unknown option key (a typo must not be ignored)', async () => {
    const { start } = await refused({ conection: 'stdio' }, 'conection', 'stdio')
    await expect(start).rejects.toThrowErrorMatchingInlineSnapshot(
      `[PeerOptionsError: invalid peer option \`conection\`: "stdio"; expected one of the known options: name, connection, exec, args, postProcessArgs, env, cwd, waitBoot, peerDown, shutdown, detached, signal, moduleResolver, heartbeat]`,
    )
  })

  test('the marker wrapper does run for valid options (the checks above are not vacuous)', async () => {
    const peer = track(await startPeer({ exec: spawnMarker }))
    expect(await peer.call('node:os', 'hostname')).toBe(hostname())
    expect(existsSync(marker)).toBe(true)
    rmSync(marker)
  })

  test('a program that cannot be started is a PeerBootError naming it', async () => {
    const error = await rejectionOf(startPeer({ exec: '/no/such/node' }))
    expect(error).toBeInstanceOf(PeerBootError)
    expect(error.code).toBe('ERR_PEER_BOOT')
    expect(error.message).toContain('/no/such/node')
    if (typeof error.pid === 'number' && error.pid > 0) expect(procState(error.pid)).toBeUndefined()
  })
})
