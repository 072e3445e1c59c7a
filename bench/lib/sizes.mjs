// Iteration counts: the full run (`pnpm bench`, a few minutes on 2 cores) or the CI smoke
// (`BENCH_SMOKE=1`, a few iterations of everything, to check that the bench works, not its numbers).
const smoke = process.env.BENCH_SMOKE === '1'
const pick = (full, small) => Number(smoke ? small : full)

export const SMOKE = smoke
export const sizes = {
  boots: pick(15, 1),
  freshPairs: pick(10, 1),
  warmup: pick(2000, 50),
  calls: pick(3000, 100),
  rounds: pick(3, 1),
  pipelined: pick(5000, 200),
  window: 64,
  echo1: pick(12, 2),
  echo64: pick(2, 1),
  bigMiB: pick(64, 4),
  stops: pick(10, 1),
  scaleReps: pick(4, 1),
  scalePeers: pick(20, 4),
  memSamples: pick(3, 1),
  memIdleMs: pick(1000, 200),
  proxyTrips: pick(500, 50),
  proxyBatches: pick(12, 1),
  fileRounds: pick(3, 1),
  takeTests: pick(12, 3),
  takeGapMs: pick(500, 300),
  otpBoots: pick(10, 1),
  otpEcho: pick(10, 1),
}

/** Connections the run covers (`BENCH_CONNECTIONS=ipc,stdio,tcp,uds`). */
export const connections = (process.env.BENCH_CONNECTIONS ?? 'ipc,stdio,tcp,uds').split(',').filter(Boolean)

/** The engine's `connection` option for a connection's short name. */
export const connectionOption = (name) => (name === 'tcp' ? { tcp: 0 } : name === 'uds' ? { uds: true } : name)
