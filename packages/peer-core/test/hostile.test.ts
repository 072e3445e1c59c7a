// Origin side: nothing a peer sends can crash the origin, and what it prints cannot exhaust the
// origin's memory. Each case runs in an origin process of its own (fixtures/*-origin.mjs), so
// that a crash shows as that process's exit, not as this test run's.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { fixture } from './helpers.js'

const run = promisify(execFile)

describe.each(['ipc', 'stdio'])('a hostile peer over %s', (connection) => {
  test('malformed messages are refused as diagnostics; the origin lives and keeps serving', async () => {
    const { stdout } = await run(process.execPath, [fixture('junk-origin.mjs'), JSON.stringify(connection)])
    const report = JSON.parse(stdout)
    const kind = connection === 'ipc' ? 'IPC message' : 'frame'
    expect(report.diagnostics.map((line: string) => line.replace(/^control connection of peer [\w-]+: /, ''))).toEqual([
      `${kind} that is not a valid peer message ('out' message: d must be text or bytes); dropped`,
      `${kind} that is not a valid peer message ('out' message: d must be text or bytes); dropped`,
      `${kind} that is not a valid peer message ('out' message: d must be text or bytes); dropped`,
      `${kind} that is not a valid peer message ('out' message: s must be 1 or 2); dropped`,
      `'msg' message whose value cannot be decoded (a damaged error record)`,
      `'msg' message whose value cannot be decoded (a damaged escaped object)`,
      `'ok' answer to call 424242, which was never made; dropped`,
      `${kind} that is not a valid peer message ('hello' message: v must be a number); dropped`,
      `${kind} that is not a valid peer message (unknown message type "nonsense"); dropped`,
      `${kind} that is not a valid peer message (not an object); dropped`,
    ])
    expect(report.served).toBe('serving')
    // A user value holding the marker keys itself round-trips unchanged.
    expect(report.echoed).toEqual({
      error: 'real',
      data: { '@@vitest-peer/error': 'text', '@@vitest-peer/escaped': 1 },
    })
  })

  test('output nobody reads stays bounded: 100 lines of 1 MiB in an origin with a 64 MiB heap', async () => {
    const { stdout } = await run(process.execPath, [
      '--max-old-space-size=64',
      fixture('flood-origin.mjs'),
      JSON.stringify(connection),
      '100',
    ])
    const { heapPeak, kept } = JSON.parse(stdout)
    expect(kept).toBeLessThanOrEqual(1024 * 1024 + 100)
    expect(heapPeak).toBeLessThan(64 * 1024 * 1024)
  }, 120_000)
})
