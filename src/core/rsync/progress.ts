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

/** A line longer than this is not progress; keep memory bounded whatever rsync prints. */
const MAX_LINE = 4096

/**
 * Splits a chunked stream on `\r` and `\n` and hands each complete line to
 * `onLine`. With `latestUpdate`, a run of stock progress updates within one
 * chunk is handed on as its last update only (before the next other line, and
 * at the end of the chunk): the counters are cumulative, so nothing is lost,
 * and 50,000 files no longer mean 50,000 slices, regex matches and samples per
 * copy (~70 ms of CPU, docs/adr/0012). Summary lines are never dropped.
 */
export class LineSplitter {
  private carry = ''
  private overflow = false
  /** the last update of the chunk being split, not yet handed on: [start, end) in `chunk` */
  private pending: {chunk: string; start: number; end: number} | undefined

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly options: {latestUpdate?: boolean} = {},
  ) {}

  push(chunk: string): void {
    let start = 0
    const coalesce = this.options.latestUpdate === true
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      if (coalesce && this.carry === '' && !this.overflow && i - start <= MAX_LINE && isStockUpdate(chunk, start, i)) {
        this.pending = {chunk, start, end: i}
      } else if (i > start || this.carry !== '') {
        this.flushPending()
        this.emit(chunk.slice(start, i))
      } else {
        this.emit('')
      }
      start = i + 1
    }
    this.flushPending()
    this.append(chunk.slice(start))
  }

  end(): void {
    this.emit('')
  }

  private flushPending(): void {
    const p = this.pending
    if (p === undefined) return
    this.pending = undefined
    this.onLine(p.chunk.slice(p.start, p.end))
  }

  private append(text: string): void {
    if (this.overflow) return
    this.carry += text
    if (this.carry.length > MAX_LINE) {
      this.carry = ''
      this.overflow = true
    }
  }

  private emit(tail: string): void {
    const line = this.overflow ? '' : this.carry + tail
    this.carry = ''
    this.overflow = false
    if (line.length > 0 && line.length <= MAX_LINE) this.onLine(line)
  }
}

/**
 * Whether chunk[start, end) ends like a stock update, `...-chk=R/T)` and
 * optional spaces, read backwards from the end without a regex or a slice.
 * (`Number of files: 3 (reg: 2, dir: 1)` ends with `)` too, and is no update.)
 */
function isStockUpdate(chunk: string, start: number, end: number): boolean {
  let i = end - 1
  while (i >= start && chunk.charCodeAt(i) === 32) i--
  if (i < start || chunk.charCodeAt(i) !== 41) return false // ')'
  i = skipDigits(chunk, i - 1, start)
  if (i < start || chunk.charCodeAt(i) !== 47) return false // '/'
  i = skipDigits(chunk, i - 1, start)
  return i - 4 >= start && chunk.startsWith('-chk=', i - 4)
}

function skipDigits(chunk: string, from: number, start: number): number {
  let i = from
  while (i >= start) {
    const c = chunk.charCodeAt(i)
    if (c < 48 || c > 57) break
    i--
  }
  return i
}
