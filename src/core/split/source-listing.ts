import {lstatSync} from 'node:fs'
import {runRsyncAttempt, type RawAttempt} from '../rsync/attempt.js'
import type {StopController} from '../run/stop.js'
import type {ByteString} from './byte-string.js'
import {asDirectory} from './work-split.js'

/**
 * What a split copy divides: rsync's own listing of the source
 * (`--list-only`) with the copy's options that decide which entries it sees:
 * its filter rules, `-L`/`--copy-unsafe-links`, `-x`. So the split copies
 * exactly the entries a plain copy would (spec §9) without re-implementing
 * rsync's filter semantics, and every name arrives as the bytes the file
 * system holds. rsync streams the listing; each entry is handed on and
 * forgotten, so memory stays flat however large the tree.
 */
export interface TreeEntry {
  /** the path relative to the split base, as bytes (the source's own name first when SRC has no trailing slash) */
  rel: ByteString
  size: number
  isDir: boolean
  /** `dev:ino` of a regular file with more than one link (only with -H): every name of it goes to one part */
  linkGroup?: string
}

export interface ListingInput {
  rsyncPath: string
  /** the copy's SRC as given: with a trailing slash the names are its contents, without it they start with its name */
  src: string
  /** the directory the names are relative to */
  base: string
  extraArgs: readonly string[]
  /** -H: each regular file's link count and inode are looked up */
  hardLinks: boolean
  stop: StopController
  graceMs: number
  env?: NodeJS.ProcessEnv | undefined
  /** the listing's stderr as it arrives (the CLI echoes it): what rsync says of an entry it cannot list, the copy's own rsync never sees */
  onStderr?: ((chunk: Buffer) => void | Promise<void>) | undefined
  /** where rsync writes the listing, read as it grows (the split's work directory; TMPDIR by default) */
  workDir?: string | undefined
}

/** Long options that change which entries rsync's sender sees; every other extra option is the workers' business. */
const SELECTING_LONG = /^--(?:exclude|include|filter|exclude-from|include-from|copy-links|copy-unsafe-links|one-file-system)(?:=|$)/
const SELECTING_SHORT = new Set(['L', 'x'])

export function listingArgs(extraArgs: readonly string[]): string[] {
  const args: string[] = []
  for (const arg of extraArgs) {
    if (SELECTING_LONG.test(arg)) args.push(arg)
    else if (/^-[^-]/.test(arg)) for (const letter of arg.slice(1)) if (SELECTING_SHORT.has(letter)) args.push(`-${letter}`)
  }
  return args
}

/**
 * A listed path is at most 4096 bytes (rsync's MAXPATHLEN), a symlink's
 * target as much again, and rsync prints an unprintable byte as 5
 * characters (`\#ooo`): no line of a real listing is longer than this.
 */
const MAX_LISTING_LINE = 2 * 5 * 4096 + 256

/**
 * Hands every entry of rsync's listing to `visit`, in rsync's own order (the
 * same in every process for the same tree). An entry that vanishes or cannot
 * be read is rsync's to report, as in a plain copy: the listing then ends
 * with 23 or 24 and the rest is listed, and that code is the copy's too:
 * with -L a dangling symlink is only ever met by the listing.
 */
export async function listSource(input: ListingInput, visit: (entry: TreeEntry) => void): Promise<RawAttempt> {
  const baseBytes = Buffer.from(asDirectory(input.base))
  let listed = 0
  let counted: number | undefined
  let failed: {error: unknown} | undefined
  const take = (line: string) => {
    const entry = parseListingLine(line)
    if (entry === undefined) {
      const count = COUNTED.exec(line)
      if (count !== null) counted = Number(count[1])
      return
    }
    listed++
    if (entry.rel === '.') return
    if (input.hardLinks && entry.type === '-') {
      const group = linkGroupOf(Buffer.concat([baseBytes, Buffer.from(entry.rel, 'latin1')]))
      if (group !== undefined) return visit({rel: entry.rel, size: entry.size, isDir: false, linkGroup: group})
    }
    visit({rel: entry.rel, size: entry.type === '-' ? entry.size : 0, isDir: entry.type === 'd'})
  }
  const raw = await runRsyncAttempt(
    {
      rsyncPath: input.rsyncPath,
      // stats2: rsync's own count of the entries it listed, which tells a complete listing from a cut one
      args: ['-rl', '--list-only', '--no-human-readable', '--info=stats2', ...listingArgs(input.extraArgs), '--', input.src],
      stderrTailBytes: 16 * 1024,
      stdoutFile: true,
      ...(input.workDir === undefined ? {} : {stdoutDir: input.workDir}),
      graceMs: input.graceMs,
      stop: input.stop,
      ...(input.env ? {env: input.env} : {}),
    },
    {
      ...(input.onStderr ? {onStderr: input.onStderr} : {}),
      maxLine: MAX_LISTING_LINE,
      linesOnly: true,
      onLine: (line) => {
        if (failed !== undefined) return
        try {
          take(line)
        } catch (error) {
          failed = {error} // a list that cannot be written (ENOSPC): thrown once rsync is done, not into its reader
        }
      },
    },
  )
  if (failed !== undefined) throw failed.error
  if (raw.interrupted) return raw
  // 23 and 24: some entries could not be read or vanished; a plain copy meets them too and copies the rest
  if (![0, 23, 24].includes(raw.code)) throw new ListingFailure(raw)
  // rsync ignores failed writes to its stdout: a full work directory would silently drop entries
  if (counted !== listed) throw new ListingCutShort(listed, counted, input.workDir)
  return raw
}

/** rsync's listing of the source ended with something other than success or some entries vanished or unreadable. */
export class ListingFailure extends Error {
  constructor(readonly raw: RawAttempt) {
    super(`rsync's listing of the source failed: ${raw.reason}`)
  }
}

/** `Number of files: 20201 (reg: 20000, dir: 201)` in rsync's summary (stats2): every entry it listed, `.` included. */
const COUNTED = /^Number of files: (\d+)/

/** rsync listed more entries than reached transporter: its writes were lost (ENOSPC: the split's work goes elsewhere). */
export class ListingCutShort extends Error {
  readonly code = 'ENOSPC'
  constructor(listed: number, counted: number | undefined, dir: string | undefined) {
    super(`rsync's listing of the source was cut short: ${listed} of ${counted ?? 'an unknown number of'} entries reached ${dir ?? 'TMPDIR'} (is it full?)`)
  }
}

/**
 * `drwxr-xr-x          4096 2026/12/01 10:00:00 name` (a symlink: `name -> target`): a type letter and nine mode
 * letters; the size has no separators with --no-human-readable. Any other line (a summary's `sent N bytes  received
 * …`) is no entry.
 */
const LINE = /^([-dlbcps])\S{9} +([\d,.]+) \S+ \S+ (.*)$/s
const ESCAPE = /\\#([0-7]{3})/g

/**
 * One line of `rsync --list-only` as type, size and name bytes. rsync writes
 * every byte that is not printable, and a literal `\#` followed by three
 * digits, as `\#ooo` (octal), so undoing that gives the name's bytes exactly.
 * A symlink's line is `name -> target` and its size is the target's length
 * in bytes, which tells where the name ends even when it holds ` -> `.
 */
export function parseListingLine(line: string): {type: string; size: number; rel: ByteString} | undefined {
  const m = LINE.exec(line)
  if (m === null) return undefined
  const size = Number(m[2]!.replace(/[,.]/g, ''))
  let rest = m[3]!
  if (rest.includes('\\#')) rest = rest.replace(ESCAPE, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
  if (m[1] === 'l') {
    const end = rest.length - size - 4
    if (end > 0 && rest.slice(end, end + 4) === ' -> ') rest = rest.slice(0, end)
  }
  return {type: m[1]!, size, rel: rest as ByteString}
}

function linkGroupOf(path: Buffer): string | undefined {
  try {
    const st = lstatSync(path)
    return st.isFile() && st.nlink > 1 ? `${st.dev}:${st.ino}` : undefined
  } catch {
    return undefined // gone since it was listed: rsync will call it vanished
  }
}
