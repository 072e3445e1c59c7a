import { defineConfig } from 'tsdown'

export default defineConfig([
  {
    // Origin API and the peer-side facade: ESM with types.
    entry: { index: 'src/index.ts', peer: 'src/peer/api.ts' },
    format: 'esm',
    platform: 'node',
    target: 'node20',
    dts: true,
    fixedExtension: true,
    clean: true,
  },
  {
    // The peer runtime: one self-contained CommonJS file, loadable from disk or shipped over stdin.
    entry: { runtime: 'src/peer/runtime.ts' },
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    dts: false,
    fixedExtension: true,
    clean: false,
  },
])
