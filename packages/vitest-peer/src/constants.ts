// Both sides (Vitest worker and Vitest main process): every limit and timeout of vitest-peer,
// with its unit and why. Engine timeouts (boot, call, halt) live in @vitest-peer/core.

/** Longest peer name built by the Common Test conventions (SPEC 2.2). */
export const NAME_MAX_LENGTH = 64
/** Lines of a peer's output in a failure report (SPEC 2.3, as the engine's `OUTPUT_TAIL_LINES`). */
export const REPORT_TAIL_LINES = 20
/**
 * Characters of a peer's console text kept for printing under its test at teardown. Beyond it the
 * oldest text is dropped, with a marker: a peer that floods its output must not flood the report.
 */
export const PRINT_LIMIT_CHARS = 256 * 1024
/** Default folder (relative to the project root) for crash reports (SPEC 2.2). */
export const DEFAULT_OUT_DIR = '.vitest-peer'
/** Key of the value the plugin provides to workers with `project.provide`. */
export const PROVIDE_KEY = 'vitestPeer'
/** Prefix of the per-run registry folders under the OS temp folder. */
export const REGISTRY_PREFIX = 'vitest-peer-registry-'
