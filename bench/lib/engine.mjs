// The engine's side of the comparisons: a peer per connection, and its calls.
import { startPeer } from '@vitest-peer/core'
import { connectionOption } from './sizes.mjs'

export const ECHO = new URL('./echo.mjs', import.meta.url).href

export async function startEngine(connection, options = {}) {
  const peer = await startPeer({ connection: connectionOption(connection), ...options })
  return {
    peer,
    pid: peer.pid,
    call: () => peer.call('node:os', 'platform'),
    callFile: () => peer.call(ECHO, 'ping'),
    echo: (p) => peer.call(ECHO, 'echo', [p], { timeout: 120_000 }),
    stop: () => peer.stop(),
  }
}

/** µs per call of `n` sequential calls of `fn`. */
export async function perCall(fn, n) {
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn()
  return Number(process.hrtime.bigint() - t) / 1000 / n
}

/** Each of `n` sequential calls of `fn`, in µs. */
export async function eachCall(fn, n) {
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await fn()
    out[i] = Number(process.hrtime.bigint() - t) / 1000
  }
  return out
}

/** Messages per second of `total` calls of `fn` with `window` outstanding. */
export async function pipelined(fn, total, window) {
  let sent = 0
  const t = process.hrtime.bigint()
  const lane = async () => {
    while (sent < total) {
      sent++
      await fn()
    }
  }
  await Promise.all(Array.from({ length: window }, lane))
  return total / (Number(process.hrtime.bigint() - t) / 1e9)
}
