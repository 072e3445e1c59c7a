// Vitest main process: starts the run's janitor, a small `sh` process that outlives nothing. It
// blocks on a pipe whose only writer is this process; the pipe ends when this process exits or is
// killed (even with SIGKILL). If the run's registry folder still exists then (the run did not
// finish: the main process died), it SIGKILLs every peer the registry holds, and dist/janitor.mjs
// reports them and removes the folder. This reaches the peers of a `forks` worker that lingers
// after the main process died while stuck in a synchronous loop: the worker can run no handler,
// and its peers stay linked to it. While nothing dies it costs one idle `sh` (about 1 MB) per run.
import { type ChildProcess, spawn } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The name the janitor shows in process listings (its `$0`). */
export const RUN_JANITOR_NAME = 'vitest-peer-run-janitor'

/** The sweep the janitor runs once the main process is gone (src/janitor/sweep.ts). */
const SWEEP = fileURLToPath(new URL('./janitor.mjs', import.meta.url))

/**
 * `$1` node, `$2` the sweep, `$3` the run folder. Nothing is ever written to the pipe: only its
 * end ends the loop. At a finished run the folder is gone already and nothing else happens.
 * Otherwise the shell itself SIGKILLs each recorded peer whose /proc start time (field 22) is the
 * recorded one (pid and start time name one process), with the process group it leads (its
 * descendants, which a worker stuck in a loop cannot end), with builtins only, so that no start of
 * a Node process stands between the main process's death and the kills; then Node reports what
 * was killed, sweeps again with the registry's full checks (which also find the processes that
 * left the peer's group), and removes the folder.
 */
const SCRIPT = `node=$1 sweep=$2 run=$3
while read -r _; do :; done
[ -d "$run" ] || exit 0
killed=
for record in "$run"/*/*.json; do
  pid=\${record##*/}
  pid=\${pid%.json}
  case $pid in '' | *[!0-9]*) continue ;; esac
  json=
  { IFS= read -r json < "$record"; } 2>/dev/null
  want=\${json#*'"startTime":"'}
  [ "$want" = "$json" ] && continue
  want=\${want%%'"'*}
  { IFS= read -r stat < "/proc/$pid/stat"; } 2>/dev/null || continue
  set -- \${stat##*') '}
  [ "$1" = Z ] && continue
  pgrp=$3
  shift 19
  [ "$1" = "$want" ] || continue
  [ "$pgrp" = "$pid" ] && kill -s KILL -- "-$pid" 2>/dev/null
  kill -s KILL "$pid" 2>/dev/null
  killed="$killed $pid"
done
exec "$node" "$sweep" "$run" $killed`

/** The janitor of one run; `release()` lets it go (the run finished and cleaned up after itself). */
export interface RunJanitor {
  readonly run: string
  release(): void
}

const HOLDER = Symbol.for('vitest-peer.runJanitor')

/**
 * The janitor of the run folder `run`, started once per main process: every project's globalSetup
 * asks, and each may load its own copy of this module, so it is kept on `globalThis`.
 */
export function runJanitor(run: string): RunJanitor {
  const holder = globalThis as { [HOLDER]?: RunJanitor }
  const current = holder[HOLDER]
  if (current !== undefined && current.run === run) return current
  const child = start(run)
  const janitor: RunJanitor = {
    run,
    release() {
      if (holder[HOLDER] === janitor) delete holder[HOLDER]
      child?.stdin?.end()
    },
  }
  holder[HOLDER] = janitor
  return janitor
}

function start(run: string): ChildProcess | undefined {
  // The sweep needs /proc to tell a live peer from a later process with its pid.
  if (process.platform !== 'linux') return undefined
  const child = spawn('/bin/sh', ['-c', SCRIPT, RUN_JANITOR_NAME, process.execPath, SWEEP, run], {
    // A session of its own: a Ctrl-C or a kill of the run's process group does not reach it; only
    // the pipe's end does. Its reports go to the run's stderr.
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit'],
    cwd: '/',
    // Nothing of the run's environment (NODE_OPTIONS, a CA bundle Node 20 parses at start).
    env: {},
  })
  // No /bin/sh: the run goes on without this part of the safety net.
  child.once('error', () => {})
  child.stdin?.on('error', () => {})
  // It must not keep the main process alive: neither the process nor the pipe holds the event loop.
  child.unref()
  ;(child.stdin as Socket | null)?.unref()
  return child
}
