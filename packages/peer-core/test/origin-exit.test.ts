// Origin side: once stop() resolves, nothing of the peer keeps the origin's event loop alive, even
// when a grandchild that escaped the stop still holds the peer's stdout and stderr pipes. Each case
// runs an origin process of its own (fixtures/held-pipe-origin.mjs) and times its exit.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { describe, expect, test } from 'vitest'
import { connectionCases } from './connections.js'
import { fixture, isGone } from './helpers.js'

/** The start time of `pid` (/proc stat field 22), which tells it from a later process with its pid. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/** Generous for a loaded 2-core box; the grandchild would hold the origin for its whole 30 s. */
const ORIGIN_EXIT_MS = 3_000

describe.each(connectionCases)('stop() over $label', ({ connection }) => {
  test('the origin exits promptly after stop() while a grandchild holds the peer pipes', async () => {
    const origin = spawn(process.execPath, [fixture('held-pipe-origin.mjs'), JSON.stringify(connection)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<number | null>((resolve) => origin.once('exit', (code) => resolve(code)))
    let grandchild = 0
    let grandchildStart: string | undefined
    try {
      const stopped = new Promise<void>((resolve) => {
        createInterface({ input: origin.stdout! }).on('line', (line) => {
          const report = JSON.parse(line) as { grandchild?: number; stopped?: boolean }
          if (report.grandchild !== undefined) {
            grandchild = report.grandchild
            grandchildStart = startTime(grandchild)
          }
          if (report.stopped) resolve()
        })
      })
      expect(await Promise.race([stopped.then(() => 'stopped'), exited])).toBe('stopped')
      let deadline: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<'still running'>((resolve) => {
        deadline = setTimeout(() => resolve('still running'), ORIGIN_EXIT_MS)
      })
      const code = await Promise.race([exited, late])
      clearTimeout(deadline)
      expect(code, `the origin's exit, up to ${ORIGIN_EXIT_MS} ms after stop() resolved`).toBe(0)
      // The grandchild still holds the pipes: the origin's exit did not wait for it.
      expect(grandchildStart).toBeDefined()
      expect(isGone(grandchild)).toBe(false)
    } finally {
      origin.kill('SIGKILL')
      if (grandchildStart !== undefined && startTime(grandchild) === grandchildStart)
        process.kill(grandchild, 'SIGKILL')
    }
  })
})
