// Both sides (Vitest worker and Vitest main process): every limit and timeout of vitest-peer,
// with its unit and why. Engine limits (name length, output tail, boot, call and halt timeouts)
// live in @vitest-peer/core.

/**
 * Longest peer name that vitest-peer builds by the Common Test conventions. Shorter than the
 * engine's own name limit on purpose: a name shows in every report line and process listing.
 */
export const CONVENTION_NAME_MAX_LENGTH = 64
/**
 * Characters of a peer's console text printed under its test at teardown. Beyond it the oldest
 * text is left out, with a marker: a peer that floods its output must not flood the report.
 */
export const PRINT_LIMIT_CHARS = 256 * 1024
/** Default folder (relative to the project root) for the peers' Node diagnostic reports. */
export const DEFAULT_OUT_DIR = '.vitest-peer'
/**
 * Where spare peers (`warm`) file their reports under it, as if they were the test `warm` of a
 * file `spare`: `<outDir>/spare/warm`, shared by every spare, removed (if empty) when the run ends.
 */
export const SPARE_REPORTS = { file: 'spare', test: 'warm' } as const
/** Prefix of the per-run registry folders under the OS temp folder. */
export const REGISTRY_PREFIX = 'vitest-peer-registry-'
/**
 * The environment variable that marks every process a peer starts: a token per peer, inherited by
 * its descendants, so the safety net finds those that left the peer's process group and session.
 */
export const COOKIE_ENV = 'VITEST_PEER_COOKIE'
/**
 * How long the processes a peer left behind may take to die after SIGKILL before the test ends
 * anyway, naming them: only a process in uninterruptible sleep takes that long.
 */
export const DESCENDANTS_GONE_MS = 1_000
/**
 * Rounds of freezing (SIGSTOP) newly found descendants before they are killed: each round catches
 * the children a process started before it was frozen, so a process that forks in a loop is caught.
 */
export const FREEZE_ROUNDS = 20
/**
 * Prefix of the per-run folders under the OS temp folder where peers write their V8 coverage
 * (`NODE_V8_COVERAGE`) while a run collects coverage.
 */
export const COVERAGE_PREFIX = 'vitest-peer-coverage-'
