// Vitest worker side: layering of peer options. Project defaults (plugin) < `peerOptions`
// (fixture, `test.override`) < the options of one start. `env` is merged key by key and `args`
// are concatenated in that order; every other option is replaced by the later layer.
import type { PeerOptions } from '@vitest-peer/core'
import type { VitestPeerExtraOptions, VitestPeerOptions } from '../shared/types.js'

/** Merge option layers, earliest first (see the file comment for the rules). */
export function mergeOptions(...layers: (VitestPeerOptions | undefined)[]): VitestPeerOptions {
  const merged: VitestPeerOptions = {}
  for (const layer of layers) {
    if (!layer) continue
    for (const [key, value] of Object.entries(layer) as [keyof VitestPeerOptions, unknown][]) {
      if (value === undefined) continue
      if (key === 'env') merged.env = { ...merged.env, ...(value as Record<string, string | undefined>) }
      else if (key === 'args' && Array.isArray(value)) merged.args = [...(merged.args ?? []), ...(value as string[])]
      else (merged as Record<string, unknown>)[key] = value
    }
  }
  return merged
}

/** `usePeer(['--flag'])` is `usePeer({ args: ['--flag'] })`, as `?CT_PEER(["+flag"])`. */
export function normalizeStartArgument(options: VitestPeerOptions | string[] | undefined): VitestPeerOptions {
  if (options === undefined) return {}
  return Array.isArray(options) ? { args: options } : options
}

/** Separate vitest-peer's own options (with their defaults) from the engine's, which refuses unknown keys. */
export function splitOptions(options: VitestPeerOptions): {
  core: PeerOptions
  extra: Required<VitestPeerExtraOptions>
} {
  const { echo, typescript, ...core } = options
  return { core, extra: { echo: echo ?? false, typescript: typescript ?? 'auto' } }
}
