// Origin side: the heartbeat (`heartbeat` option), OTP's net tick: a peer whose JavaScript is stuck
// or whose machine froze still has a healthy control connection, so only silence tells. The origin
// ticks every quarter of the period; anything from the peer (a `tock`, an answer, output) counts
// as a sign of life; a full period of silence while not paused makes it unresponsive.
// https://www.erlang.org/doc/apps/kernel/kernel_app.html#net_ticktime

// Captured at load: tests in the origin may install fake timers (vi.useFakeTimers()).
const { setInterval, clearInterval, setImmediate } = globalThis
const now = () => performance.now()

export interface HeartbeatHost {
  /** Send a tick (ignored when the channel is gone). */
  tick(): void
  /** Whether the peer is paused on purpose (`pause()`): no tick counts against it then. */
  paused(): boolean
  /** A full period of silence: the peer is unresponsive. */
  silent(ms: number): void
}

/** One peer's heartbeat, from `start()` (the peer runs) to `stop()` (it is down). */
export class Heartbeat {
  private lastHeard = now()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly period: number,
    private readonly host: HeartbeatHost,
  ) {}

  start(): void {
    this.lastHeard = now()
    this.timer = setInterval(() => this.check(), Math.max(1, Math.floor(this.period / 4)))
    this.timer.unref?.()
  }

  /** Something arrived from the peer. */
  heard(): void {
    this.lastHeard = now()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private check(): void {
    if (this.host.paused()) {
      // Paused on purpose: its silence is ours; the count starts again when it resumes.
      this.lastHeard = now()
      return
    }
    if (now() - this.lastHeard >= this.period) {
      // A busy origin may run this timer before it reads what already arrived: read first (an
      // immediate runs after the poll phase), and only then judge.
      const heard = this.lastHeard
      setImmediate(() => {
        if (this.timer === undefined || this.lastHeard !== heard) return
        this.stop()
        this.host.silent(this.period)
      })
      return
    }
    this.host.tick()
  }
}
