/**
 * Progress parsing for rsync's stdout. rsync ends progress updates with `\r`
 * and lines with `\n`, so the stream is split on both. Every line that is not
 * a progress update is ignored (the Go tool crashed on lines such as
 * `skipping non-regular file "x"`).
 */

export interface ProgressSample {
  filesTransferred: number
  filesTotal: number
  /** bytes transferred so far in this attempt, when the line says */
  bytes?: number
}

// stock rsync: `     57,060 100%   47.91kB/s    0:00:01 (xfr#9000, to-chk=0/9301)` (or ir-chk while scanning)
const STOCK = /\(xfr#(\d+), (?:to|ir)-chk=(\d+)\/(\d+)\)\s*$/
const LEADING_BYTES = /^\s*([\d,]+)\s/
// the patched rsync the Go tool shipped with: `N-M`, N may be empty
const LEGACY = /^(\d*)-(\d+)$/

export function parseProgressLine(line: string): ProgressSample | undefined {
  const stock = STOCK.exec(line)
  if (stock) {
    const sample: ProgressSample = {filesTransferred: Number(stock[1]), filesTotal: Number(stock[3])}
    const bytes = LEADING_BYTES.exec(line)
    if (bytes?.[1]) sample.bytes = Number(bytes[1].replaceAll(',', ''))
    return sample
  }
  const legacy = LEGACY.exec(line.trim())
  if (legacy) return {filesTransferred: legacy[1] ? Number(legacy[1]) : 0, filesTotal: Number(legacy[2])}
  return undefined
}

// rsync's end-of-run summary (`--info=stats2`, `--stats`); numbers carry `,` separators.
const STATS: ReadonlyArray<[RegExp, keyof ProgressSample]> = [
  [/^Number of files: ([\d,]+)(?: \(.*\))?$/, 'filesTotal'],
  [/^Number of regular files transferred: ([\d,]+)$/, 'filesTransferred'],
  [/^Total transferred file size: ([\d,]+) bytes$/, 'bytes'],
]

/**
 * One line of rsync's end-of-run summary as a partial sample, so the counts
 * are real without per-file progress output. `Number of files` counts
 * directories too, as progress2's `to-chk=R/T` total does. A line in `-h`
 * (human-readable) form does not parse and is ignored.
 */
export function parseStatsLine(line: string): Partial<ProgressSample> | undefined {
  for (const [pattern, key] of STATS) {
    const m = pattern.exec(line)
    if (m?.[1]) return {[key]: Number(m[1].replaceAll(',', ''))}
  }
  return undefined
}

/** Longer lines are dropped whole: progress and messages are short, and memory stays bounded whatever rsync prints. */
const MAX_LINE = 4096

/**
 * Splits a chunked stream on `\r` and `\n` and hands each complete line to
 * `onLine`. With `latestUpdate`, of the `\r`-ended segments between two
 * `\n` in a chunk only the last complete one is handed on: rsync ends its
 * cumulative progress updates with `\r` and every other line with `\n`, so
 * the latest counters and every summary line still arrive, and 50,000 files
 * no longer cost 50,000 slices, regex matches and samples — nor a JavaScript
 * loop over every character (the separators are found with indexOf).
 */
export class LineSplitter {
  private carry = ''
  private overflow = false

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly options: {latestUpdate?: boolean; maxLine?: number} = {},
  ) {
    this.maxLine = options.maxLine ?? MAX_LINE
  }

  private readonly maxLine: number

  push(chunk: string): void {
    if (this.options.latestUpdate === true) {
      this.pushLatest(chunk)
      return
    }
    // the next of each separator, found with indexOf (a JavaScript loop over every character cost more than the parsing)
    let start = 0
    let nl = chunk.indexOf('\n')
    let cr = chunk.indexOf('\r')
    while (nl !== -1 || cr !== -1) {
      const at = cr === -1 || (nl !== -1 && nl < cr) ? nl : cr
      this.emit(chunk.slice(start, at))
      start = at + 1
      if (at === nl) nl = chunk.indexOf('\n', start)
      else cr = chunk.indexOf('\r', start)
    }
    this.append(chunk.slice(start))
  }

  end(): void {
    this.emit('')
  }

  private pushLatest(chunk: string): void {
    let pos = 0
    for (;;) {
      const nl = chunk.indexOf('\n', pos)
      const end = nl === -1 ? chunk.length : nl
      const lastCr = end > pos ? chunk.lastIndexOf('\r', end - 1) : -1
      if (lastCr >= pos) {
        const firstCr = chunk.indexOf('\r', pos)
        if (firstCr === lastCr) {
          // the one complete segment, which may finish what the last chunk began
          this.emit(chunk.slice(pos, firstCr))
        } else {
          // a run of updates: the earlier ones (and what the last chunk began) are superseded
          this.carry = ''
          this.overflow = false
          this.emit(chunk.slice(chunk.lastIndexOf('\r', lastCr - 1) + 1, lastCr))
        }
        pos = lastCr + 1
      }
      if (nl === -1) {
        this.append(chunk.slice(pos))
        return
      }
      this.emit(chunk.slice(pos, nl))
      pos = nl + 1
    }
  }

  private append(text: string): void {
    if (this.overflow) return
    this.carry += text
    if (this.carry.length > this.maxLine) {
      this.carry = ''
      this.overflow = true
    }
  }

  private emit(tail: string): void {
    const line = this.overflow ? '' : this.carry + tail
    this.carry = ''
    this.overflow = false
    if (line.length > 0 && line.length <= this.maxLine) this.onLine(line)
  }
}
