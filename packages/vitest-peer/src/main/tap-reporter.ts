// Vitest main process: Vitest's `tap` and `tap-flat` reporters, with YAML diagnostics that a TAP
// consumer reads back as they were written. Vitest 4.1's TAP reporter writes a string as `"…"`
// with only `"` escaped: YAML folds the line breaks of such a string into spaces
// (https://yaml.org/spec/1.2.2/#731-double-quoted-style), so a multi-line message, like every
// failure report of vitest-peer, comes out on one line, and a `\` in it breaks the block. It also
// opens one `---` per error but closes them with a single `...`, which is not one YAML block
// (https://testanything.org/tap-version-13-specification.html#yaml-blocks). The plugin puts this
// reporter in place of both; everything else it writes is as Vitest writes it.
import type { RunnerTask, TestError } from 'vitest'
import { TapFlatReporter, TapReporter, type Vitest } from 'vitest/node'

type Log = (line: string) => void

/** Vitest constructs a reporter module's default export with the reporter's options; `flat` is `tap-flat`. */
export default function PeerTapReporter(options: { flat?: boolean } = {}): TapReporter {
  return options.flat ? new FlatTap() : new Tap()
}

class Tap extends TapReporter {
  protected override logTasks(tasks: RunnerTask[]): void {
    logTasks(this.ctx, tasks, '')
  }
}

class FlatTap extends TapFlatReporter {
  protected override logTasks(tasks: RunnerTask[]): void {
    logTasks(this.ctx, tasks, '')
  }
}

/** The test points of `tasks`, nested suites indented, as Vitest writes them but for the errors. */
function logTasks(vitest: Vitest, tasks: RunnerTask[], indent: string): void {
  const log: Log = (line) => vitest.logger.log(indent + line)
  log(`1..${tasks.length}`)
  for (const [i, task] of tasks.entries()) {
    const ok = task.result?.state === 'pass' || task.mode === 'skip' || task.mode === 'todo' ? 'ok' : 'not ok'
    const head = `${ok} ${i + 1} - ${tapString(task.name)}${TapReporter.getComment(task)}`
    if (task.type === 'suite' && task.tasks.length > 0) {
      log(`${head} {`)
      logTasks(vitest, task.tasks, `${indent}    `)
      log('}')
      continue
    }
    log(head)
    const inner: Log = (line) => log(`    ${line}`)
    if (task.type === 'test') for (const { type, message } of task.annotations ?? []) inner(`# ${type}: ${message}`)
    const errors = task.result?.state === 'fail' ? (task.result.errors ?? []) : []
    if (errors.length > 0) logErrors(errors, inner)
  }
}

/**
 * One YAML block: the first error as Vitest writes it (`error`, `at`, `actual`, `expected`, which
 * TAP consumers read), and with more than one, all of them under `errors`.
 */
function logErrors(errors: TestError[], log: Log): void {
  const [first] = errors as [TestError]
  log('---')
  log('error:')
  writeError(first, (line) => log(`    ${line}`), false)
  const at = location(first)
  if (at !== undefined) log(`at: ${yamlString(at)}`)
  if (first.showDiff) {
    log(`actual: ${yamlString(String(first.actual ?? ''), '')}`)
    log(`expected: ${yamlString(String(first.expected ?? ''), '')}`)
  }
  if (errors.length > 1) {
    log('errors:')
    for (const error of errors) writeError(error, (line, i) => log(`${i === 0 ? '  - ' : '    '}${line}`), true)
  }
  log('...')
}

function writeError(error: TestError, log: (line: string, i: number) => void, withLocation: boolean): void {
  const lines = [
    `name: ${yamlString(error.name || 'Unknown Error')}`,
    `message: ${yamlString(String(error.message), '')}`,
  ]
  const at = location(error)
  if (withLocation && at !== undefined) lines.push(`at: ${yamlString(at)}`)
  lines.flatMap((line) => line.split('\n')).forEach(log)
}

function location(error: TestError): string | undefined {
  const frame = error.stacks?.[0]
  return frame === undefined ? undefined : `${frame.file}:${frame.line}:${frame.column}`
}

/**
 * A YAML scalar for `text` after a `key:`. A text of several lines is a literal block (its lines
 * as they are, indented by 2 under the key, https://yaml.org/spec/1.2.2/#812-literal-style) when
 * its first line does not start with a space (the block's indentation is read from it), it does
 * not end with a line break and has no other control characters; anything else is a JSON string,
 * which is also a valid YAML string.
 */
function yamlString(text: string, empty = '""'): string {
  if (text === '') return empty
  const literal = text.includes('\n') && !/^[ \t]|\n$/.test(text) && !hasControlCharacters(text)
  if (!literal) return JSON.stringify(text)
  return `|-\n${text
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n')}`
}

/** Control characters other than tab and line feed, which a literal block cannot hold. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f) return true
  }
  return false
}

/** A test name on a TAP line: `#` starts a directive there, and the line must stay one line. */
function tapString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ')
}
