// Peer side, loaded with `--import` (`typescript: 'preload'`): installs the TypeScript loader
// before the peer runtime starts. The transpiler comes in this module's URL query.
import { registerTypeScript } from './ts-register.js'

const query = new URL(import.meta.url).searchParams
const kind = query.get('kind')
const path = query.get('path')
if ((kind === 'rolldown' || kind === 'esbuild') && path) await registerTypeScript({ kind, path })
