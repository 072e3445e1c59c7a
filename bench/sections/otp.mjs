// Erlang/OTP's `peer` in the same run, over the connections both have: stdio
// (#{connection => standard_io}) and tcp (#{connection => 0}). ARG 'boot': boot and first call,
// engine and OTP interleaved (not pinned); ARG 'rtt': round trip, pipelined calls and a 1 MiB
// binary echoed, the engine's then OTP's on one peer each (pinned to one core by the orchestrator,
// OTP's VM included). Skipped when `erl`
// is not installed. Ratios are engine / OTP: below 1 the engine is faster.
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { eachCall, perCall, pipelined, startEngine } from '../lib/engine.mjs'
import { median, now, percentile, row } from '../lib/stats.mjs'

export const HOW_TO_INSTALL =
  "Erlang/OTP not found (no `erl` on PATH): OTP's `peer` sections skipped. Install it to compare: `sudo apt-get install -y erlang-nox` (Debian/Ubuntu), `brew install erlang` (macOS)."

const ESCRIPT = fileURLToPath(new URL('../otp/peer.escript', import.meta.url))

/** The escript, a command at a time. It exits when its stdin closes, and so do its peers. */
function startOtp() {
  const erl = spawn('escript', [ESCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: erl.stdout })[Symbol.asyncIterator]()
  return {
    async ask(command) {
      erl.stdin.write(`${command}\n`)
      const { value, done } = await lines.next()
      if (done) throw new Error(`escript exited during '${command}'`)
      return JSON.parse(value)
    },
    close: () => (erl.stdin.end(), new Promise((resolve) => erl.once('exit', resolve))),
  }
}

async function boots(otp, sizes, log) {
  const rows = []
  for (const connection of ['stdio', 'tcp']) {
    const t = { engine: [], first: [], otp: [], otpFirst: [] }
    for (let i = 0; i < sizes.otpBoots + 1; i++) {
      const sides = {
        engine: async () => {
          const start = now()
          const e = await startEngine(connection)
          const boot = now() - start
          const first = now()
          await e.call()
          const firstMs = now() - first
          await e.stop()
          if (i > 0) t.engine.push(boot), t.first.push(firstMs)
        },
        otp: async () => {
          const r = await otp.ask(`boot ${connection}`)
          if (i > 0) t.otp.push(r.boot), t.otpFirst.push(r.first)
        },
      }
      for (const k of i % 2 ? ['otp', 'engine'] : ['engine', 'otp']) await sides[k]()
    }
    log(connection, median(t.engine), median(t.otp), median(t.first), median(t.otpFirst))
    rows.push(
      row('otp', `boot, ${connection}`, median(t.engine), 'ms', median(t.otp), "OTP's peer:start_link", { max: 1 }),
    )
    rows.push(
      row('otp', `first call, ${connection}`, median(t.first), 'ms', median(t.otpFirst), "OTP's first peer:call", {
        max: 1,
      }),
    )
  }
  return rows
}

async function trips(otp, sizes, log) {
  const rows = []
  for (const connection of ['stdio', 'tcp']) {
    // OTP's stdio connection encodes each byte in two and runs at a few MiB/s: few echoes there.
    const echoes = connection === 'stdio' ? Math.min(3, sizes.otpEcho) : sizes.otpEcho
    const e = await startEngine(connection)
    const engine = {}
    try {
      await perCall(e.call, sizes.warmup)
      const each = await eachCall(e.call, sizes.calls)
      engine.median = median(each)
      engine.p99 = percentile(each, 99)
      engine.rate = await pipelined(e.call, sizes.pipelined, sizes.window)
      const payload = Buffer.alloc(1 << 20, 7)
      await e.echo(payload)
      const ms = []
      for (let i = 0; i < sizes.otpEcho; i++) ms.push((await perCall(() => e.echo(payload), 1)) / 1000)
      engine.echo = median(ms)
    } finally {
      await e.stop()
    }
    const o = await otp.ask(
      `trips ${connection} ${sizes.warmup} ${sizes.calls} ${sizes.pipelined} ${sizes.window} ${echoes}`,
    )
    log(connection, engine, o)
    const peerCall = "OTP's peer:call"
    rows.push(row('otp', `warm RTT median, ${connection}`, engine.median, 'µs', o.median, peerCall))
    rows.push(row('otp', `warm RTT p99, ${connection}`, engine.p99, 'µs', o.p99, peerCall))
    rows.push(row('otp', `pipelined calls/s, ${connection}`, engine.rate, 'calls/s', o.rate, peerCall))
    rows.push(row('otp', `1 MiB echo, ${connection}`, engine.echo, 'ms', o.echo, `${peerCall}, 1 MiB binary`))
  }
  return rows
}

export default async function otpSection({ sizes, arg, log }) {
  if (spawnSync('erl', ['-version'], { stdio: 'ignore' }).error)
    return [{ section: 'otp', what: `OTP ${arg}`, skipped: HOW_TO_INSTALL }]
  const otp = startOtp()
  try {
    return arg === 'boot' ? await boots(otp, sizes, log) : await trips(otp, sizes, log)
  } finally {
    await otp.close()
  }
}
