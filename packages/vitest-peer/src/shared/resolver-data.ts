// Both sides: what the worker tells a peer's module resolver (src/peer/resolve.ts). The engine
// sends it once per peer, with the `moduleResolver` start option.
import type { Transpiler } from './transpiler.js'
import type { TypeScriptMode } from './types.js'

export interface ResolverData {
  /** Folder of the file that owns the peer (the test file): `./` and `../` specifiers start here. */
  base: string
  /** The project's root, where Vite's root-relative module ids (`/src/x.ts`) start. */
  root: string
  /** `'auto'`: install the TypeScript loader before the peer's first TypeScript module. */
  typescript: TypeScriptMode
  /** The transpiler for the loader; null when Vite brings none. */
  transpiler: Transpiler | null
}
