// Vitest worker side: peer names after Common Test's ?CT_PEER_NAME:
// `<test file stem>-<test name>-<unique>-<origin pid>`, `[A-Za-z0-9_-]`, at most 64 characters;
// and a test's full name, as reports show it.
import { basename } from 'node:path'
import { threadId } from 'node:worker_threads'
import type { RunnerTestCase } from 'vitest'
import { CONVENTION_NAME_MAX_LENGTH } from '../constants.js'

// The unique integer must stay unique in the worker even if this module is loaded twice (Vitest
// may inline it once for the setup file and once for a test file), hence a process-wide counter.
const COUNTER = Symbol.for('vitest-peer.nameCounter')
type CounterHolder = { [COUNTER]?: number }

/**
 * The next unique integer of this origin. In a worker thread (Vitest's `threads` pool) several
 * origins share the pid, each with its own globals, so the thread id is part of it: `<thread>_<n>`.
 */
function nextUnique(): string {
  const holder = globalThis as CounterHolder
  holder[COUNTER] = (holder[COUNTER] ?? 0) + 1
  return threadId === 0 ? String(holder[COUNTER]) : `${threadId}_${holder[COUNTER]}`
}

/** Replace every run of characters outside `[A-Za-z0-9_-]` by one `_`. */
export function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_')
}

/** `math.test.ts` → `math`, `ct_SUITE.spec.mts` → `ct_SUITE`. */
export function fileStem(file: string): string {
  return basename(file)
    .replace(/\.[cm]?[jt]sx?$/, '')
    .replace(/[.-](test|spec)$/, '')
}

/**
 * `${stem}-${label}-${unique}-${pid}`. The head (`stem-label`) is cut so the whole name fits in
 * 64 characters; the unique tail is never cut, so names stay unique across workers and runs.
 */
export function buildPeerName(file: string, label: string): string {
  const tail = `-${nextUnique()}-${process.pid}`
  const head = sanitize(`${fileStem(file)}-${label}`).replace(/^[_-]+|[_-]+$/g, '') || 'peer'
  return head.slice(0, CONVENTION_NAME_MAX_LENGTH - tail.length) + tail
}

/** The full name of a test: `describe > test`. */
export function fullName(task: RunnerTestCase): string {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== (task.file as unknown); suite = suite.suite) {
    if (suite.name) names.unshift(suite.name)
  }
  return names.join(' > ')
}
