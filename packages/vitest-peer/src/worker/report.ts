// Vitest worker side: the failure report of a test's peers: what a user needs to reproduce and
// debug each peer (name, pid, command line, added environment with secrets redacted, state, exit
// status, the last lines of output, crash reports), as text (terminal, JUnit, GitHub) and as
// data (`task.meta`); and the location errors point at.
import { describeDown, OUTPUT_TAIL_LINES, type Peer, type PeerState } from '@vitest-peer/core'
import type { RunnerTestCase } from 'vitest'
import { PeerDiagnosticsError } from '../errors.js'
import type { PeerReport } from '../shared/types.js'

const SECRET_KEY = /secret|token|passw|pwd|auth|credential|cookie|session|private|api[-_]?key|access[-_]?key|(^|_)key$/i
const SECRET_VALUE = /^(gh[pousr]_|github_pat_|sk-|xox[abpr]-|AKIA|ASIA|eyJ[\w-]+\.[\w-]+\.)/

/** Replace secret-looking values of the added environment by `<redacted>` (and passwords inside URLs). */
export function redactEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) out[key] = null
    else if (SECRET_KEY.test(key) || SECRET_VALUE.test(value)) out[key] = '<redacted>'
    else out[key] = value.replace(/(\/\/[^/:@\s]+:)[^@\s]+@/g, '$1<redacted>@')
  }
  return out
}

/**
 * The report of one peer after teardown. `atEnd` is its state when the test ended (before
 * vitest-peer stopped it); the exit status is the final one.
 */
export function describePeer(peer: Peer, atEnd: PeerState, crashReports: string[]): PeerReport {
  const final = peer.state
  const down = typeof final === 'object' ? final.down : null
  const tail = peer.outputTail(OUTPUT_TAIL_LINES)
  return {
    name: peer.name,
    pid: peer.pid,
    command: peer.command,
    cwd: peer.cwd,
    env: redactEnv(peer.env),
    state: typeof atEnd === 'object' ? 'down' : atEnd,
    cause: down?.cause ?? null,
    exitCode: down?.exitCode ?? null,
    signal: down?.signal ?? null,
    output: tail === '' ? [] : tail.replace(/\n$/, '').split('\n'),
    crashReports,
  }
}

/** The text of a report: one block per peer. */
export function formatReports(peers: PeerReport[]): string {
  const blocks = peers.map((p) => {
    const exit = p.cause === null ? '' : describeDown({ cause: p.cause, exitCode: p.exitCode, signal: p.signal })
    const status =
      p.cause === null
        ? `${p.state} when the test ended, still ${p.state}`
        : p.state === 'down'
          ? `down before the test ended: ${exit}`
          : `${p.state} when the test ended, then ${exit}`
    const env = Object.entries(p.env).map(([k, v]) => (v === null ? `-u ${k}` : `${k}=${v}`))
    const lines = [
      `peer ${p.name} (pid ${p.pid}): ${status}`,
      `  command: ${p.command}`,
      `  cwd:     ${p.cwd}`,
      `  env:     ${env.length > 0 ? env.join(' ') : '(nothing added)'}`,
    ]
    if (p.crashReports.length > 0) lines.push('  crash reports:', ...p.crashReports.map((f) => `    ${f}`))
    if (p.output.length > 0)
      lines.push(
        `  last ${p.output.length === 1 ? 'line' : `${p.output.length} lines`} of output:`,
        ...p.output.map((l) => `    | ${l}`),
      )
    else lines.push('  output: (none)')
    return lines.join('\n')
  })
  return `${peers.length} peer${peers.length === 1 ? '' : 's'} of this test:\n\n${blocks.join('\n\n')}`
}

/**
 * The diagnostics error attached to a failed test. Its stack points into the test file (where
 * the first peer was started, else where the test is declared), so that reporters that need a
 * location, like GitHub Actions annotations, keep it.
 */
export function diagnosticsError(
  task: RunnerTestCase,
  peers: PeerReport[],
  startSites: string[],
): PeerDiagnosticsError {
  const error = new PeerDiagnosticsError(formatReports(peers), peers)
  const file = task.file.filepath
  let frame = startSites.find((line) => line.includes(file))?.trim()
  if (frame === undefined && task.location)
    frame = `at vitest-peer (${file}:${task.location.line}:${task.location.column})`
  error.stack = `${error.name}: ${error.message}${frame ? `\n    ${frame}` : ''}`
  return error
}

/**
 * Put the test-file frame where the peer was started first in `error`'s stack, so reporters that
 * show or need one location (the terminal's code frame, GitHub annotations) point at the test.
 */
export function pointAtTest(error: Error, startSite: string[], file: string): Error {
  const frame = startSite.find((line) => line.includes(file))
  if (frame === undefined || error.stack === undefined) return error
  const lines = error.stack.split('\n')
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line))
  if (firstFrame === -1) lines.push(frame)
  else lines.splice(firstFrame, 0, frame)
  error.stack = lines.join('\n')
  return error
}
