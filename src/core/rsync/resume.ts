import {readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {configTrustProblem, effectiveUid} from '../config/trust.js'
import {randomHex} from '../random-hex.js'

/**
 * Resume of an interrupted file (spec §12, docs/adr/0013). rsync copies local
 * files whole, so the partial file --partial keeps is never used as a basis:
 * a rerun sends the whole file again and needs room for the partial and a
 * full temp copy. Instead, the files rsync was writing when transporter
 * stopped it are recorded beside dest (`.transporter-resume-<dest name>-<random>`,
 * NUL-separated paths relative to dest), and the next attempt or run first
 * finishes exactly those with --append-verify — in place, so no second copy,
 * and rsync checks the whole file's checksum and sends it again on a mismatch —
 * then copies as usual, which finds them complete.
 */

/** A killed rsync's temp file at least this large is kept as a partial to resume; a smaller one is simply sent again. */
const RESUME_MIN_BYTES = 1024 * 1024

/** For the temp-file sweep: which temp files to keep as partials (large ones), and the final paths it kept. */
export function partialKeeper(): {keep: (final: Buffer, size: number) => boolean; kept: Buffer[]} {
  const kept: Buffer[] = []
  return {kept, keep: (final, size) => size >= RESUME_MIN_BYTES && kept.push(final) > 0}
}

/** Records the files an interrupted rsync was writing; returns their paths relative to dest. */
export function recordInterrupted(dest: string, inFlight: readonly Buffer[]): string[] {
  // /proc gives real paths, the sweep dest as given: either may be the prefix
  const roots = [...new Set([trimmed(dest), realDest(dest)].filter((r): r is string => r !== undefined))].map((r) => Buffer.from(r === '/' ? r : `${r}/`))
  const rel = inFlight.flatMap((p) => {
    const root = roots.find((r) => p.length > r.length && p.subarray(0, r.length).equals(r))
    return root === undefined ? [] : [p.subarray(root.length)]
  })
  const valid = rel.filter(isPlainRelative)
  if (valid.length === 0) return []
  try {
    writeFileSync(join(parentOf(dest), `${listPrefix(dest)}${randomHex(6)}`), Buffer.concat(valid.flatMap((p) => [p, Buffer.from([0])])), {
      mode: 0o600,
      flag: 'wx',
    })
  } catch {
    return [] // a parent we may not write into: no resume, the file is sent again
  }
  return valid.map((p) => p.toString())
}

export interface ClaimedResume {
  /** the merged list, for --files-from --from0 */
  listFile: string
  count: number
  release(): void
}

/**
 * Takes every resume list of this dest (a rename, so two workers or runs never
 * take the same one), keeping only lists that pass the config ownership check
 * and entries that are plain relative paths; undefined when there is none.
 */
export function claimResumeLists(dest: string): ClaimedResume | undefined {
  const parent = parentOf(dest)
  const prefix = listPrefix(dest)
  // names as bytes: a neighbour of dest may have a name that is not valid UTF-8
  const prefixBytes = Buffer.from(prefix)
  let names: Buffer[]
  try {
    names = readdirSync(parent, {encoding: 'buffer'}).filter((n) => n.length > prefixBytes.length && n.subarray(0, prefixBytes.length).equals(prefixBytes))
  } catch {
    return undefined
  }
  const entries = new Map<string, Buffer>()
  for (const name of names) {
    // the part after the prefix is this module's own random hex
    const claimed = join(parent, `.transporter-resuming-${name.subarray(prefixBytes.length).toString('latin1')}-${process.pid}`)
    try {
      renameSync(Buffer.concat([Buffer.from(`${parent}/`), name]), claimed)
    } catch {
      continue // taken by another worker or run
    }
    try {
      if (configTrustProblem(claimed, effectiveUid()) !== undefined) continue
      for (const entry of splitNul(readFileSync(claimed))) if (isPlainRelative(entry)) entries.set(entry.toString('latin1'), entry)
    } catch {
      // unreadable: nothing to resume from it
    } finally {
      rmSync(claimed, {force: true})
    }
  }
  if (entries.size === 0) return undefined
  const listFile = join(parent, `.transporter-resuming-${basename(dest)}-${randomHex(6)}`)
  try {
    writeFileSync(listFile, Buffer.concat([...entries.values()].flatMap((p) => [p, Buffer.from([0])])), {mode: 0o600, flag: 'wx'})
  } catch {
    return undefined
  }
  return {listFile, count: entries.size, release: () => rmSync(listFile, {force: true})}
}

/**
 * The copy's own rsync argv for the resume pass: its options (not its file
 * list, deletions or progress), then --append-verify over the listed files,
 * from the directory the listed paths are relative to.
 */
export function resumeArgs(args: readonly string[], listFile: string, src: string, dest: string): string[] {
  const end = args.indexOf('--')
  const options = (end === -1 ? args : args.slice(0, end)).filter(
    (a) => !a.startsWith('--files-from=') && a !== '--from0' && !a.startsWith('--delete') && !a.startsWith('--info='),
  )
  // `src/` copies its contents into dest; `src` copies the directory itself, so dest's paths start with its name
  const root = src.endsWith('/') ? src : `${dirname(src)}/`
  return [...options, '--append-verify', `--files-from=${listFile}`, '--from0', '--stats', '--', root, dest]
}

function listPrefix(dest: string): string {
  return `.transporter-resume-${basename(trimmed(dest))}-`
}

function parentOf(dest: string): string {
  return dirname(trimmed(dest))
}

function trimmed(dest: string): string {
  return dest.replace(/\/+$/, '') || '/'
}

function realDest(dest: string): string | undefined {
  try {
    return realpathSync(dest)
  } catch {
    return undefined
  }
}

/** No empty, `.` or `..` component, not absolute: a path inside dest and nowhere else. */
function isPlainRelative(path: Buffer): boolean {
  if (path.length === 0 || path[0] === 0x2f || path.includes(0)) return false
  return path
    .toString('latin1')
    .split('/')
    .every((c) => c !== '' && c !== '.' && c !== '..')
}

function splitNul(bytes: Buffer): Buffer[] {
  const out: Buffer[] = []
  let start = 0
  for (let i = bytes.indexOf(0); i !== -1; i = bytes.indexOf(0, start)) {
    out.push(bytes.subarray(start, i))
    start = i + 1
  }
  if (start < bytes.length) out.push(bytes.subarray(start))
  return out
}
