// Origin side: the phases of a peer's life (control.ts moves between them), and what each means
// outside the state machine: the public `state`, and where a request goes.
import type { OriginChannel } from './connection/types.js'
import type { Route } from './requests.js'
import type { DownReason, PeerState } from './types.js'

/** Where the peer is in its life. */
export type Phase =
  /** Spawned, waiting for the boot handshake; `channel` once the connection is established. */
  | { name: 'booting'; channel: OriginChannel | undefined }
  /** Boot cannot complete (`error` says why): the process was killed and is being reaped. */
  | { name: 'boot-failing'; error: Error }
  /** Serving requests over `channel`. */
  | { name: 'running'; channel: OriginChannel }
  /** Was running, and its control connection is lost: the link is ending the process. */
  | { name: 'unlinked' }
  /** `stop()` (or the abort signal) is ending it; `wasBooting` if it never ran; `error`: why a boot ended. */
  | { name: 'stopping'; wasBooting: boolean; error: Error | undefined }
  /** The process is gone and reaped. */
  | { name: 'down'; reason: DownReason }

/** The public state: `booting` until it ran, `running` until it is down. */
export function publicState(phase: Phase): PeerState {
  switch (phase.name) {
    case 'booting':
    case 'boot-failing':
      return 'booting'
    case 'stopping':
      return phase.wasBooting ? 'booting' : 'running'
    case 'down':
      return { down: phase.reason }
    default:
      return 'running'
  }
}

/** Where a request made in `phase` goes: the channel, a wait for the boot, or a down reason. */
export function routeOf(phase: Phase, booted: Promise<void>, exited: Promise<DownReason>): Route {
  switch (phase.name) {
    case 'running':
      // The phase itself is the route (it has `channel`): nothing allocated per request.
      return phase
    case 'down':
      return { down: phase.reason }
    case 'unlinked':
      return { down: exited }
    case 'stopping':
      return phase.wasBooting ? { wait: booted } : { down: exited }
    default:
      // booting, boot-failing: the request goes once the boot ends, either way.
      return { wait: booted }
  }
}

/** The down reason in `phase` once down; while going down (stopping, boot failing, unlinked), `exited`. */
export function endingOf(phase: Phase, exited: Promise<DownReason>): DownReason | Promise<DownReason> | undefined {
  if (phase.name === 'down') return phase.reason
  return phase.name === 'booting' || phase.name === 'running' ? undefined : exited
}
