// Origin side: starting a peer on a machine that has only `node` (a wrapped `exec` such as ssh or
// `docker run -i`). The peer runs `node -e <BOOTSTRAP> -- <runtime flags>`; the origin writes the
// runtime's source to its stdin as one length-prefixed block, and the bootstrap compiles it as
// the CommonJS module 'peer-runtime.js' and hands the rest of stdin to it
// (about +2 ms locally; nothing to install remotely).
import { readFileSync } from 'node:fs'
import { RUNTIME_PATH } from '../command.js'

/**
 * Read a u32 BE length and that many bytes of source from stdin; pause stdin and push back what
 * came after the source; compile it with Module#_compile, which (unlike vm.runInThisContext on
 * Node 20) lets the runtime use `import()`; then resume stdin for the runtime's own readers.
 * stdin EOF before the source is complete exits 1.
 * No single quotes, so a shell-quoting `postProcessArgs` (ssh) can wrap it in '…' as is.
 */
export const BOOTSTRAP = [
  'const M=require("module"),s=process.stdin;let b=Buffer.alloc(0);',
  'const e=()=>process.exit(1),f=(d)=>{b=Buffer.concat([b,d]);if(b.length<4)return;',
  'const n=b.readUInt32BE(0);if(b.length<4+n)return;s.pause();s.off("data",f);s.off("end",e);',
  'if(b.length>4+n)s.unshift(b.subarray(4+n));const m=new M("peer-runtime.js");',
  'm.filename=require("path").resolve("peer-runtime.js");m.paths=M._nodeModulePaths(process.cwd());',
  'm._compile(b.toString("utf8",4,4+n),m.filename);s.resume()};s.on("data",f);s.on("end",e)',
].join('')

/** How the runtime is started: from its file, or (wrapped exec) by the bootstrap from stdin. */
export function runtimeEntry(wrapped: boolean): string[] {
  return wrapped ? ['-e', BOOTSTRAP, '--'] : [RUNTIME_PATH]
}

/** The first bytes a bootstrapped peer reads on stdin: the runtime source, length-prefixed. */
export function runtimeBlock(): Buffer {
  const source = readFileSync(RUNTIME_PATH)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(source.length)
  return Buffer.concat([length, source])
}
