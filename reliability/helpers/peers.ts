// Test support (test:reliability): peers that are stopped when the current test ends, whatever
// happened, so that a failing trial leaves nothing running.
import { type Peer, type PeerOptions, startPeer } from '@vitest-peer/core'
import { onTestFinished } from 'vitest'

/** Start a peer that is stopped when the current test finishes. */
export async function startOwned(options: PeerOptions = {}): Promise<Peer> {
  const peer = await startPeer(options)
  owned(peer)
  return peer
}

/** Stop `peer` when the current test finishes. */
export function owned(peer: Peer): Peer {
  onTestFinished(async () => {
    await peer.stop()
    await peer.exited
  })
  return peer
}

/** The rejection of `promise`, or undefined if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<(Error & Record<string, unknown>) | undefined> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  return undefined
}

/**
 * Counts the engine's process warnings of `code` (e.g. VITEST_PEER_KILLED) instead of printing
 * them, until the current test finishes: a scenario that provokes them by design asserts them.
 */
export function countWarnings(code: string): { count: number } {
  const counter = { count: 0 }
  const original = process.emitWarning
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const given = typeof rest[0] === 'object' ? (rest[0] as { code?: unknown } | null)?.code : rest[1]
    if (given === code) {
      counter.count += 1
      return
    }
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  onTestFinished(() => {
    process.emitWarning = original
  })
  return counter
}

/** `promise`, or a rejection naming `what` once `ms` have passed: a trial fails instead of hanging. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
