// Both sides: which TypeScript transpiler a peer's loader uses. vitest-peer ships none: it uses
// the one Vite already brings (Vite 8: rolldown's oxc `transformSync`; Vite 6/7: esbuild).
export interface Transpiler {
  kind: 'rolldown' | 'esbuild'
  /** Absolute path of the module to import. */
  path: string
}
