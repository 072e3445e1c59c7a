// A peer's output printed under its test comes from the engine's buffer (`peer.output`): checked
// here with a real peer that prints more than the engine keeps, on both streams, so the text
// printed under each stream must line up with what that stream really wrote.
import { startPeer } from '@vitest-peer/core'
import { expect, test, vi } from 'vitest'
import { PRINT_LIMIT_CHARS } from '../src/constants.js'
import { OutputCapture } from '../src/worker/output.js'

test('prints the newest output per stream, and how much was left out', async ({ task }) => {
  await using peer = await startPeer()
  const capture = new OutputCapture(peer, false)
  // 24 blocks of 64 KiB lines, stdout and stderr in turn: 1.5 MiB, past the engine's 1 MiB.
  await peer.evaluate(() => {
    const line = (c: string) => `${c.repeat(1023)}\n`
    for (let block = 0; block < 24; block++) {
      const stream = block % 2 === 0 ? process.stdout : process.stderr
      stream.write(line(block % 2 === 0 ? 'o' : 'e').repeat(64))
    }
    process.stdout.write('last line of stdout\n')
    process.stderr.write('last line of stderr\n')
  })
  await peer.waitForOutput('last line of stderr')
  expect(peer.output).toMatch(/^\[… \d+ earlier characters dropped …\]\n/)
  const printed: [string, string][] = []
  const log = vi.spyOn(console, 'log').mockImplementation((text) => void printed.push(['stdout', text]))
  const error = vi.spyOn(console, 'error').mockImplementation((text) => void printed.push(['stderr', text]))
  try {
    capture.printUnder(task)
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
  const total = 24 * 64 * 1024 + 'last line of stdout\n'.length + 'last line of stderr\n'.length
  expect(printed[0]).toEqual([
    'stderr',
    `${peer.name} | … ${total - PRINT_LIMIT_CHARS} earlier characters of output dropped`,
  ])
  const pieces = printed.slice(1)
  const shown = pieces.reduce((sum, [, text]) => sum + text.split('\n').join('').length, 0)
  expect(shown).toBeGreaterThan(0)
  for (const [stream, text] of pieces) {
    const lines = text.split('\n').map((l) => l.slice(`${peer.name} | `.length))
    const own = stream === 'stdout' ? /^(o*|last line of stdout)$/ : /^(e*|last line of stderr)$/
    for (const line of lines) expect(line).toMatch(own)
  }
  expect(pieces.slice(-2)).toEqual([
    ['stdout', `${peer.name} | last line of stdout`],
    ['stderr', `${peer.name} | last line of stderr`],
  ])
})
