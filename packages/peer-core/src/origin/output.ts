// Origin side: the peer's console text. Bytes arrive from several sources (relayed JavaScript
// writes, raw stdout/stderr pipes); each source has its own UTF-8 decoder so a character split
// across chunks stays whole. The text is kept in arrival order, bounded, and split into lines
// per stream for `waitForOutput`.
import { StringDecoder } from 'node:string_decoder'
import { OUTPUT_LIMIT_CHARS, OUTPUT_TAIL_LINE_CHARS } from '../constants.js'
import type { OutputStream } from './types.js'

type LineWatcher = (line: string) => boolean

export class OutputBuffer {
  /** Kept text as the chunks that arrived, oldest first from `head`; joined on demand. */
  private chunks: string[] = []
  private head = 0
  private kept = 0
  private joined: string | undefined = ''
  private dropped = 0
  private ended = false
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
    this.ended = true
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

  private get text(): string {
    if (this.joined === undefined) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
      this.joined = this.chunks.join('')
      this.chunks = [this.joined]
    }
    return this.joined
  }

  /**
   * The last `count` lines of output, each cut to `OUTPUT_TAIL_LINE_CHARS` characters (an error
   * or a report shows a 1 MiB line as its start and how much more there was).
   */
  tail(count: number): string {
    const text = this.output
    let end = text.endsWith('\n') ? text.length - 1 : text.length
    const lines: string[] = []
    while (lines.length < count && end >= 0) {
      const start = text.lastIndexOf('\n', end - 1) + 1
      const length = end - start
      lines.push(
        length > OUTPUT_TAIL_LINE_CHARS
          ? `${text.slice(start, start + OUTPUT_TAIL_LINE_CHARS)}… [${length - OUTPUT_TAIL_LINE_CHARS} more characters]`
          : text.slice(start, end),
      )
      if (start === 0) break
      end = start - 1
    }
    return lines.reverse().join('\n')
  }

  /** Complete lines printed so far, for a wait that must see earlier output. */
  lines(): string[] {
    const lines = this.text.split('\n')
    // The text after the last newline is a line still being written, unless the peer is gone.
    if (!this.ended || lines[lines.length - 1] === '') lines.pop()
    return lines
  }

  /**
   * The first line `test` accepts, among the lines printed so far or those completed later.
   * `arm` starts whatever ends the wait (a timeout, the peer going down) and returns its cancel
   * function; it is called only when the wait has to wait.
   */
  firstLine(test: (line: string) => boolean, arm: (fail: (e: Error) => void) => () => void): Promise<string> {
    const earlier = this.lines().find(test)
    if (earlier !== undefined) return Promise.resolve(earlier)
    return new Promise((resolve, reject) => {
      let disarm = () => {}
      const watcher: LineWatcher = (line) => {
        if (!test(line)) return false
        disarm()
        resolve(line)
        return true
      }
      this.watchers.add(watcher)
      disarm = arm((error) => {
        this.watchers.delete(watcher)
        disarm()
        reject(error)
      })
    })
  }

  private append(text: string, stream: OutputStream): void {
    this.chunks.push(text)
    this.kept += text.length
    this.joined = undefined
    while (this.kept > this.limit) {
      const first = this.chunks[this.head] as string
      const excess = this.kept - this.limit
      if (first.length <= excess) {
        // Let go of the dropped text now, not when the array is compacted.
        this.chunks[this.head] = ''
        this.head += 1
        this.kept -= first.length
        this.dropped += first.length
      } else {
        // Cut through the rest of the broken line too, so the kept text starts at a line.
        const newline = first.indexOf('\n', excess)
        const cut = newline === -1 ? excess : newline + 1
        this.chunks[this.head] = detached(first.slice(cut))
        this.kept -= cut
        this.dropped += cut
      }
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
    this.onText(text, stream)
    if (this.watchers.size === 0 && !text.includes('\n')) {
      this.partial[stream] += text
    } else {
      const pieces = (this.partial[stream] + text).split('\n')
      const rest = pieces.pop() ?? ''
      // A short rest of a long text is a view of it: copy, so that the text can go.
      this.partial[stream] = rest.length > 0 && rest.length * 2 < text.length ? detached(rest) : rest
      for (const line of pieces) this.emitLine(line)
    }
    // Text that never ends its line (progress bars, binary junk) is bounded like the rest.
    if (this.partial[stream].length > this.limit) {
      const line = this.partial[stream]
      this.partial[stream] = ''
      this.emitLine(line)
    }
  }

  private emitLine(line: string): void {
    for (const watcher of this.watchers) if (watcher(line)) this.watchers.delete(watcher)
  }
}

/**
 * A copy of `text` that does not keep a larger string alive: V8 represents a slice as a view of
 * its parent, so the kept tail of a 100 MB write would keep all 100 MB.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le')
}
