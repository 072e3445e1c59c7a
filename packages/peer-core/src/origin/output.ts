// Origin side: the peer's console text. Bytes arrive from several sources (relayed JavaScript
// writes, raw stdout/stderr pipes); each source has its own UTF-8 decoder so a character split
// across chunks stays whole. The text is kept in arrival order, bounded, and split into lines
// per stream for `waitForOutput`.
import { StringDecoder } from 'node:string_decoder'
import { OUTPUT_LIMIT_CHARS } from '../constants.js'
import type { OutputStream } from './types.js'

type LineWatcher = (line: string) => boolean

export class OutputBuffer {
  private text = ''
  private dropped = 0
  private readonly decoders = new Map<string, StringDecoder>()
  private readonly partial: Record<OutputStream, string> = { stdout: '', stderr: '' }
  private readonly watchers = new Set<LineWatcher>()

  constructor(
    private readonly onText: (text: string, stream: OutputStream) => void,
    private readonly limit = OUTPUT_LIMIT_CHARS,
  ) {}

  /** Feed bytes (or a string) from one source; `source` names the decoder (e.g. `'relay:stdout'`). */
  write(source: string, stream: OutputStream, data: Uint8Array | string): void {
    let decoder = this.decoders.get(source)
    if (decoder === undefined) {
      decoder = new StringDecoder('utf8')
      this.decoders.set(source, decoder)
    }
    const text = typeof data === 'string' ? decoder.write(Buffer.from(data)) : decoder.write(data as Buffer)
    if (text !== '') this.append(text, stream)
  }

  /** Flush every decoder and partial line: the peer is gone. */
  end(): void {
    for (const [source, decoder] of this.decoders) {
      const rest = decoder.end()
      if (rest !== '') this.append(rest, source.endsWith('stderr') ? 'stderr' : 'stdout')
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') {
        const line = this.partial[stream]
        this.partial[stream] = ''
        this.emitLine(line)
      }
    }
  }

  /** All text kept, oldest first, with a marker where older text was dropped. */
  get output(): string {
    return this.dropped === 0 ? this.text : `[… ${this.dropped} earlier characters dropped …]\n${this.text}`
  }

  /** The last `count` lines of output. */
  tail(count: number): string {
    const lines = this.output.replace(/\n$/, '').split('\n')
    return lines.slice(-count).join('\n')
  }

  /** Lines printed so far (complete or not), for a wait that must see earlier output. */
  lines(): string[] {
    return this.text.split('\n')
  }

  /** Call `watcher` with every line completed from now on, until it returns true. */
  watch(watcher: LineWatcher): () => void {
    this.watchers.add(watcher)
    return () => this.watchers.delete(watcher)
  }

  private append(text: string, stream: OutputStream): void {
    this.text += text
    if (this.text.length > this.limit) {
      const cut = this.text.length - this.limit
      this.text = this.text.slice(cut)
      this.dropped += cut
    }
    this.onText(text, stream)
    if (this.watchers.size === 0 && !text.includes('\n')) {
      this.partial[stream] += text
      return
    }
    const pieces = (this.partial[stream] + text).split('\n')
    this.partial[stream] = pieces.pop() ?? ''
    for (const line of pieces) this.emitLine(line)
  }

  private emitLine(line: string): void {
    for (const watcher of this.watchers) if (watcher(line)) this.watchers.delete(watcher)
  }
}
