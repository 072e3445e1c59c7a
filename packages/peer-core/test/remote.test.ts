// Origin side: peers over a real ssh hop to a private sshd on 127.0.0.1 (test/helpers/sshd.ts).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Sshd, startSshd } from './helpers/sshd.js'

const run = promisify(execFile)
let sshd: Sshd

beforeAll(async () => {
  sshd = await startSshd()
}, 300_000)
afterAll(() => sshd?.stop())

describe('private sshd', () => {
  test('runs node on the remote side', async () => {
    const { stdout } = await run('ssh', [...sshd.sshArgs, 'node', '-p', '1+1'])
    expect(stdout.trim()).toBe('2')
  })
})
