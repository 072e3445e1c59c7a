// Origin side: the line of user code that made a request, so that its rejection points there and
// not at the timer or stream callback where the engine noticed the failure (execa and Playwright do
// the same). V8 captures the frames when the site is taken and formats them only when read.

/** Where a request was made: a stack captured without the engine's own frames above `method`. */
export type CallSite = { readonly stack?: string }

/** The caller of `method` (a `Peer` method, or `startPeer`). */
export function callSite(method: Function): CallSite {
  const site: { stack?: string } = {}
  Error.captureStackTrace(site, method)
  return site
}

/**
 * `error` with the site's frames: an engine error gets them instead of its own (they name only
 * the engine's callbacks); a `RemoteError` keeps the remote frames and gets the site's after them.
 * Returns `error`, changed in place.
 */
export function atSite<E extends Error>(error: E, site: CallSite | undefined): E {
  const frames = site?.stack?.slice(site.stack.indexOf('\n') + 1)
  if (!frames || typeof error.stack !== 'string') return error
  const stack = error.stack
  const header = `${error.name}: ${error.message}`
  const keep =
    (error as { remote?: unknown }).remote === true
      ? stack
      : stack.startsWith(header)
        ? header
        : stack.slice(0, firstFrame(stack))
  Object.defineProperty(error, 'stack', {
    value: `${keep.replace(/\n+$/, '')}\n${frames}`,
    writable: true,
    configurable: true,
    enumerable: false,
  })
  return error
}

/** Where the first `    at …` line of a stack starts (the message may span several lines). */
function firstFrame(stack: string): number {
  const match = /\n\s+at /.exec(stack)
  return match === null ? stack.length : match.index
}
