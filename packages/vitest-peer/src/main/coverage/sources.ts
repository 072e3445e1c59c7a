// Vitest main process: the code a peer ran for a file, rebuilt so that the peer's coverage can be
// mapped onto it. V8 counts offsets into the code it ran; the conversion to lines needs that code
// (and, for TypeScript, its source map back to the file's own lines). A JavaScript file ran as it
// is on disk; a TypeScript file ran as vitest-peer's loader transformed it, and the same transpiler
// and options give the same code and map here. The rebuilt code counts only if it is exactly as
// long as the code the peer ran; otherwise (the file changed during the run, or another loader ran
// it, such as Node's own type stripping) its peers' coverage is left out rather than mapped onto
// the wrong lines.
import { readFile } from 'node:fs/promises'
import type { Transpiler } from '../../shared/transpiler.js'
import { loadTransform, type Transform, TS_PATH } from '../../shared/ts-transform.js'

/** The code a peer ran, and the source map from it to the file on disk (TypeScript only). */
export interface RanCode {
  code: string
  map?: SourceMap
}

interface SourceMap {
  sources: string[]
  [key: string]: unknown
}

const INLINE_MAP = '//# sourceMappingURL=data:application/json;base64,'

/** Rebuilds the code peers ran, with one TypeScript transform for the whole run. */
export class RanCodeFinder {
  private transform: Promise<Transform | null> | undefined

  constructor(private readonly transpiler: Transpiler | null) {}

  /**
   * The code of `file` (a path; `url` is its file URL) that is `length` long: `'missing'` when the
   * file is gone (a file a test generated and removed), `'changed'` when the code rebuilt from it is not the code the peer ran.
   */
  async find(file: string, url: string, length: number): Promise<RanCode | 'missing' | 'changed'> {
    let source: string
    try {
      source = await readFile(file, 'utf8')
    } catch {
      return 'missing'
    }
    if (!TS_PATH.test(file)) return source.length === length ? { code: source } : 'changed'
    const transform = await this.loadTransform()
    if (transform === null) return 'changed'
    let code: string
    try {
      code = transform(file, source)
    } catch {
      return 'changed'
    }
    // Without its map the transformed code cannot be placed on the file's lines.
    const map = code.length === length ? inlineMap(code, url) : undefined
    return map === undefined ? 'changed' : { code, map }
  }

  private loadTransform(): Promise<Transform | null> {
    const { transpiler } = this
    this.transform ??= transpiler === null ? Promise.resolve(null) : loadTransform(transpiler).catch(() => null)
    return this.transform
  }
}

/** The inline source map the transform appended, its sources made absolute URLs (as the v8 provider does). */
function inlineMap(code: string, url: string): SourceMap | undefined {
  const at = code.lastIndexOf(INLINE_MAP)
  if (at === -1) return undefined
  try {
    const map = JSON.parse(
      Buffer.from(code.slice(at + INLINE_MAP.length).trim(), 'base64').toString('utf8'),
    ) as SourceMap
    map.sources = (map.sources ?? []).filter((s) => s != null).map((s) => new URL(s, url).href)
    if (map.sources.length === 0) map.sources.push(url)
    return map
  } catch {
    return undefined
  }
}
