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
/** Prefix of the per-run registry folders under the OS temp folder. */
export const REGISTRY_PREFIX = 'vitest-peer-registry-'
/**
 * Prefix of the per-run folders under the OS temp folder where peers write their V8 coverage
 * (`NODE_V8_COVERAGE`) while a run collects coverage.
 */
export const COVERAGE_PREFIX = 'vitest-peer-coverage-'
