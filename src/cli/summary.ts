import type {CopyOutcome} from '../core/run/outcome.js'

/** The one human line a run ends with (spec §8.4): counts, bytes, duration, rate, attempts, exit code. */
export function summaryLine(o: CopyOutcome): string {
  const seconds = o.durationMs / 1000
  const rate = seconds > 0 ? `${humanBytes(o.bytes / seconds)}/s` : '-'
  const attempts = `${o.attempts.length} attempt${o.attempts.length === 1 ? '' : 's'}`
  return `summary: ${o.filesTransferred}/${o.filesTotal} files, ${humanBytes(o.bytes)}, ${seconds.toFixed(1)} s, ${rate}, ${attempts}, exit ${o.exitCode}`
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']

/** rsync's own units (powers of 1000), one decimal from kB on. */
export function humanBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}
