/** Human-readable progress for people (console) and rates for machines (ndjson). */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

/** Decimal units, as rsync and most storage dashboards print them: `12.3 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B'
  let value = bytes
  let unit = 0
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** Bytes per second over `elapsedMs`, rounded; undefined until any time has passed. */
export function rateOf(bytes: number, elapsedMs: number): number | undefined {
  if (!(elapsedMs > 0)) return undefined
  return Math.round((bytes * 1000) / elapsedMs)
}

export interface AttemptProgress {
  attempt: number
  filesTransferred: number
  filesTotal: number
  /** unknown when rsync's output carried no byte counts */
  bytes?: number | undefined
  /** since the attempt started */
  elapsedMs: number
}

/** `120/500 files, 12.3 MB, 4.1 MB/s` — bytes and rate only when known. */
export function progressSummary(p: AttemptProgress): string {
  let text = `${p.filesTransferred}/${p.filesTotal} files`
  if (p.bytes !== undefined) {
    text += `, ${formatBytes(p.bytes)}`
    const rate = rateOf(p.bytes, p.elapsedMs)
    if (rate !== undefined) text += `, ${formatRate(rate)}`
  }
  return text
}

/** One plain progress line for a non-terminal stderr, newline included. */
export function progressLine(now: Date, p: AttemptProgress): string {
  return `${now.toISOString()} progress attempt ${p.attempt}: ${progressSummary(p)}\n`
}
