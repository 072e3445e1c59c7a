// Both sides: every timeout and limit of the engine, with its unit and why.
// Each is overridable per peer or per call where the public API names it.

/** How long `startPeer` waits for the boot handshake (`waitBoot`; OTP's `peer` waits 15 s too). */
export const BOOT_TIMEOUT_MS = 15_000
/** Default `timeout` of `call`, `receive` and `waitForOutput` (OTP's `peer:call` uses 5 s too). */
export const CALL_TIMEOUT_MS = 5_000
/** Default `{ halt: ms }` of `stop()`: how long a halting peer may take before SIGKILL. */
export const HALT_TIMEOUT_MS = 5_000
/**
 * `shutdown: 'close'`: how long the peer may take to halt on its own after its control connection
 * was closed, before SIGKILL (it halts at once unless its JavaScript is busy).
 */
export const CLOSE_GRACE_MS = 5_000
/**
 * A running peer whose control connection was lost without a stop: how long the link may take to
 * make it halt before SIGKILL.
 */
export const LINK_GRACE_MS = 5_000
/**
 * After the peer process has exited, how long to keep reading its stdout/stderr pipes for the
 * last bytes. A grandchild that inherited the pipes can hold them open forever; this bounds it.
 */
export const OUTPUT_DRAIN_MS = 250
/**
 * After the peer has exited, how long its descendants (the processes of its group, SIGKILLed
 * then) may take to die before `exited` resolves anyway, with a warning: only a process stuck in
 * uninterruptible sleep takes that long.
 */
export const DESCENDANTS_GONE_MS = 1_000
/**
 * `pause()`: how long to wait for the peer to show as stopped after SIGSTOP (it stops when next
 * scheduled; a process in uninterruptible sleep stops when it wakes).
 */
export const PAUSE_CONFIRM_MS = 1_000
/** Characters of console text kept in `peer.output`; the oldest text is dropped first, marked. */
export const OUTPUT_LIMIT_CHARS = 1024 * 1024
/** Lines of output carried by errors (`PeerBootError.output`) and failure reports. */
export const OUTPUT_TAIL_LINES = 20
/** Characters of one line in such a tail; a longer line is cut, saying how much was left out. */
export const OUTPUT_TAIL_LINE_CHARS = 500
/** Largest frame payload a decoder accepts (bytes); a larger length field is treated as damage. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024
/**
 * 'stdio': how long a frame may stay incomplete while complete frames arrive after its header
 * before it is taken for a forged header and given up (only a forged header does that).
 */
export const FRAME_STALL_MS = 1_000
/**
 * TCP and Unix-socket connections: how long a peer keeps trying to connect back to the origin
 * (every candidate address, with backoff) before it halts (OTP's `CONNECT_TIMEOUT` is 10 s too).
 */
export const CONNECT_TIMEOUT_MS = 10_000
/** Pause between rounds of connection attempts: starts small (the origin normally listens already), doubles up to the max. */
export const CONNECT_RETRY_FIRST_MS = 20
export const CONNECT_RETRY_MAX_MS = 500
/**
 * How long one accepted connection may take to complete the authentication handshake; a client
 * that says nothing is dropped then and reported, without holding up the real peer.
 */
export const HANDSHAKE_TIMEOUT_MS = 10_000
