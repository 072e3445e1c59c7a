import { defineConfig } from 'tsdown'
import { nodeLibrary } from '../../tsdown.base.mjs'

export default defineConfig([
  {
    // Origin API and the peer-side facade: ESM with types.
    entry: { index: 'src/index.ts', peer: 'src/peer/api.ts' },
    format: 'esm',
    ...nodeLibrary,
    dts: true,
    clean: true,
  },
  {
    // The peer runtime: one self-contained CommonJS file, loadable from disk or shipped over stdin.
    entry: { runtime: 'src/peer/runtime.ts' },
    format: 'cjs',
    ...nodeLibrary,
    dts: false,
    clean: false,
  },
  {
    // An empty ES module beside the runtime, which the runtime imports to start Node's ESM loader.
    entry: { warm: 'src/peer/warm.ts' },
    format: 'esm',
    ...nodeLibrary,
    dts: false,
    clean: false,
  },
])
