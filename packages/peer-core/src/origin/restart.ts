// Origin side: `peer.restart()`. Stop the peer (per its `shutdown`) unless it is down, wait until
// its process and process tree are gone (so its name is free), then start a new peer with the
// same name and options, changed by the overrides. The old `Peer` stays down; the new one shares
// nothing with it but the name and the options.
import { PeerOptionsError } from '../errors.js'
import { resolveOptions } from './options.js'
import type { Peer } from './peer.js'
import type { PeerOptions } from './types.js'

/** Starts a peer from options (startPeer without its call site); `spawned` gets it as soon as it is spawned. */
export type Starter = (options: PeerOptions, spawned?: (peer: Peer) => void) => Promise<Peer>

/** Restart `old`, started with `given`; bad overrides are refused before it is stopped. */
export async function restartPeer(
  old: Pick<Peer, 'name' | 'stop' | 'exited'>,
  given: PeerOptions,
  overrides: unknown,
  start: Starter,
): Promise<Peer> {
  const options = restartOptions(given, overrides, old.name)
  resolveOptions(options)
  await old.stop()
  await old.exited
  return start(options)
}

/**
 * The options of the restarted peer, merged as one start's options are: `env` key by key (an
 * `undefined` value removes the variable), every other option given replaces the old one (`args`
 * included); an option left `undefined` keeps its value. The name cannot change.
 */
export function restartOptions(given: PeerOptions, overrides: unknown, name: string): PeerOptions {
  if (overrides === undefined) return { ...given, name }
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new PeerOptionsError('overrides', overrides, 'an object of startPeer options')
  }
  const merged: Record<string, unknown> = { ...given }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue
    if (key === 'name' && value !== name) {
      throw new PeerOptionsError('name', value, `no other name: a restarted peer keeps its name (${name})`)
    }
    merged[key] = key === 'env' && isRecord(value) && isRecord(given.env) ? { ...given.env, ...value } : value
  }
  return { ...(merged as PeerOptions), name }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
