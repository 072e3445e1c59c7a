// Origin side: the janitor, one small `sh` process per origin (per thread that starts peers),
// started with the first peer. It reads the process groups of the live peers from a pipe whose
// only writer is this origin, and when that pipe closes (the origin exited, or was killed, even
// with SIGKILL; for a worker thread, when the thread ends) it SIGKILLs every group still listed,
// then exits. The link ends a peer whose origin died, but kills only the peer: its descendants
// would be reparented and live on. The janitor is what ends them.
import { spawn } from 'node:child_process'
import type { Socket } from 'node:net'

/**
 * `+ <pgid>` adds a group, `- <pgid>` removes it; at EOF, each listed group is SIGKILLed. POSIX sh
 * builtins only: it costs one small process per origin and no file.
 */
const JANITOR = `live=' '
while read -r op pgid; do
  case $op in
  +) live="$live$pgid " ;;
  -) case $live in *" $pgid "*) live="\${live%%" $pgid "*} \${live#*" $pgid "}" ;; esac ;;
  esac
done
for pgid in $live; do kill -s KILL -- "-$pgid" 2>/dev/null; done`

/**
 * The shell that is spawned runs the janitor in the background and exits at once, so that the
 * janitor is not this origin's child: when it exits, after the origin, init reaps it, even when
 * the origin is a worker thread that ended while its process lives on (a child of a thread that is
 * gone would stay a zombie of the process). The pipe is the shell's fd 3, not its stdin: Node
 * closes a child's stdin when the child exits. A background job's stdin is /dev/null unless
 * redirected, so the janitor's is redirected from fd 3.
 */
const LAUNCHER = `{
${JANITOR}
} <&3 3<&- &`

/** The name the janitor shows in process listings (its `$0`). */
export const JANITOR_NAME = 'vitest-peer-janitor'

class Janitor {
  /** The origin's end of the pipe to the live janitor. */
  private pipe: Socket | undefined
  private readonly groups = new Set<number>()

  /** Have group `pgid` killed if this origin dies; the returned function takes it off the list. */
  watch(pgid: number): () => void {
    this.groups.add(pgid)
    this.tell(`+ ${pgid}\n`)
    return () => {
      if (this.groups.delete(pgid)) this.tell(`- ${pgid}\n`)
    }
  }

  private tell(line: string): void {
    if (this.pipe === undefined) {
      // A new janitor (the first, or one that died) learns the whole list at once.
      this.pipe = this.spawn()
      line = [...this.groups].map((pgid) => `+ ${pgid}\n`).join('')
    }
    this.pipe.write(line)
  }

  private spawn(): Socket {
    const launcher = spawn('/bin/sh', ['-c', LAUNCHER, JANITOR_NAME], {
      // Its own session: a Ctrl-C or a kill of the test run's process group does not reach it;
      // only the pipe's end does.
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      cwd: '/',
      env: {},
    })
    const pipe = launcher.stdio[3] as Socket
    // A janitor that could not start, or died (EPIPE): the next peer starts another one.
    const forget = () => {
      if (this.pipe === pipe) this.pipe = undefined
    }
    launcher.once('error', forget)
    pipe.on('error', forget)
    // Neither the launcher nor the pipe may keep the origin alive.
    launcher.unref()
    pipe.unref()
    return pipe
  }
}

const HOLDER = Symbol.for('vitest-peer.janitor')

/**
 * Have group `pgid` SIGKILLed if this origin dies before it calls the returned function. One
 * janitor per thread by nature, like the names of live peers (names.ts): kept on `globalThis`,
 * so that two copies of this module still share one.
 */
export function watchGroup(pgid: number): () => void {
  if (process.platform === 'win32') return () => {}
  const holder = globalThis as { [HOLDER]?: Janitor }
  holder[HOLDER] ??= new Janitor()
  return holder[HOLDER].watch(pgid)
}
