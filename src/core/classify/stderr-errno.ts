/**
 * Reads errnos from rsync's stderr. rsync prints OS errors as
 * `rsync: [receiver] <op> "<path>" failed: <strerror> (<errno>)`; the text
 * varies with libc and locale, the number at the end of the line does not.
 */
import {constants} from 'node:os'

export interface ErrnoLine {
  errno: number
  line: string
}

// `rsync:` then anything, ending in `(<digits>)`. The summary lines
// `rsync error: ... (code 23) at main.c(1394) [sender=3.5.0]` end in `]`,
// and `rsync warning:` carries no errno; both are skipped explicitly.
// [\s\S], not `.`: a file name may hold U+2028/U+2029, which `.` does not match
const ERRNO_LINE = /^rsync:\s[\s\S]*\((\d{1,4})\)\s*$/
const SUMMARY_LINE = /^rsync (error|warning):/

/** Every errno rsync reported, in line order. */
export function findErrnos(stderr: string): ErrnoLine[] {
  const found: ErrnoLine[] = []
  for (const raw of stderr.split(/\r?\n|\r/)) {
    const line = raw.trim()
    if (SUMMARY_LINE.test(line)) continue
    const m = ERRNO_LINE.exec(line)
    if (m?.[1] === undefined) continue
    const errno = Number(m[1])
    if (errno > 0) found.push({errno, line})
  }
  return found
}

/** The symbolic name of an errno on this platform (`ENOSPC`), or undefined. */
export function errnoName(errno: number): string | undefined {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name
  return undefined
}
