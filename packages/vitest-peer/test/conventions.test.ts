// In-process checks of the pieces that need no child run: Common Test names, option layering,
// secret redaction, and the error usePeer() gives without the plugin (this project has none).
import { describe, expect, test } from 'vitest'
import { NoCurrentTestError } from '../src/errors.js'
import { buildPeerName, fileStem } from '../src/worker/naming.js'
import { mergeOptions, normalizeStartArgument, splitOptions } from '../src/worker/options.js'
import { redactEnv } from '../src/worker/report.js'
import { peerName, usePeer } from '../src/worker/use-peer.js'

describe('peer names (?CT_PEER_NAME)', () => {
  test('are <file stem>-<test name>-<unique>-<origin pid>, sanitised', () => {
    expect(fileStem('test/math.test.ts')).toBe('math')
    expect(fileStem('ct_SUITE.spec.mts')).toBe('ct_SUITE')
    const name = buildPeerName('test/math.test.ts', 'adds 1 + 2 → 3')
    expect(name).toMatch(new RegExp(`^math-adds_1_2_3-\\d+-${process.pid}$`))
  })

  test('are at most 64 characters and keep their unique tail', () => {
    const names = [1, 2, 3].map(() => buildPeerName('a-very-long-test-file-name.test.ts', 'x'.repeat(200)))
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(64)
      expect(name).toMatch(new RegExp(`-\\d+-${process.pid}$`))
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/)
    }
    expect(new Set(names).size).toBe(3)
  })
})

describe('option layers', () => {
  test('append args, merge env, replace the rest; an array means args', () => {
    const merged = mergeOptions(
      { args: ['--a'], env: { A: '1', B: '1' }, connection: 'ipc', echo: true },
      { args: ['--b'], env: { B: '2' } },
      normalizeStartArgument(['--c']),
      { connection: 'stdio', env: { C: undefined } },
    )
    expect(merged).toEqual({
      args: ['--a', '--b', '--c'],
      env: { A: '1', B: '2', C: undefined },
      connection: 'stdio',
      echo: true,
    })
    expect(splitOptions(merged)).toEqual({
      core: { args: ['--a', '--b', '--c'], env: { A: '1', B: '2', C: undefined }, connection: 'stdio' },
      extra: { echo: true, typescript: 'auto' },
    })
  })
})

test("secret-looking environment values are redacted; vitest-peer's cookie is left out", () => {
  expect(
    redactEnv({
      PORT: '8080',
      API_TOKEN: 'abc',
      DB_PASSWORD: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      SOMETHING: 'ghp_0123456789abcdef',
      DATABASE_URL: 'postgres://user:pw@db:5432/x',
      REMOVED: undefined,
      VITEST_PEER_COOKIE: 'left out of reports',
    }),
  ).toEqual({
    PORT: '8080',
    API_TOKEN: '<redacted>',
    DB_PASSWORD: '<redacted>',
    AWS_SECRET_ACCESS_KEY: '<redacted>',
    SOMETHING: '<redacted>',
    DATABASE_URL: 'postgres://user:<redacted>@db:5432/x',
    REMOVED: null,
  })
})

test('usePeer() and peerName() without the plugin say how to enable it', async () => {
  const error = await usePeer().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(NoCurrentTestError)
  expect((error as NoCurrentTestError).code).toBe('ERR_VITEST_PEER_NO_PLUGIN')
  expect((error as Error).message).toMatchInlineSnapshot(`
    "usePeer() needs the vitest-peer plugin, which tells it which test is running (also under test.concurrent). Add it to vitest.config.ts:

      import { vitestPeer } from 'vitest-peer/plugin'
      export default defineConfig({ plugins: [vitestPeer()] })

    or use the fixtures instead: test('…', async ({ peer, startPeer }) => { … })"
  `)
  expect(() => peerName()).toThrow(NoCurrentTestError)
})
