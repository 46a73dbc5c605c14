import {createHash} from 'node:crypto'
import {lstatSync, readFileSync, readdirSync, readlinkSync, statSync} from 'node:fs'
import {join} from 'node:path'

export interface Entry {
  kind: 'file' | 'dir' | 'link' | 'other'
  size: number
  mode: number
  sha: string
}

/**
 * Every entry under `root`, keyed by its relative path decoded as latin1 so
 * names that are not valid UTF-8 survive the round trip byte for byte.
 */
export function snapshot(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>()
  const walk = (dir: Buffer, rel: string) => {
    for (const name of readdirSync(dir, {encoding: 'buffer'})) {
      const full = Buffer.concat([dir, Buffer.from('/'), name])
      const key = rel === '' ? name.toString('latin1') : `${rel}/${name.toString('latin1')}`
      const st = lstatSync(full)
      if (st.isDirectory()) {
        out.set(key, {kind: 'dir', size: 0, mode: st.mode & 0o7777, sha: ''})
        walk(full, key)
      } else if (st.isFile()) {
        out.set(key, {kind: 'file', size: st.size, mode: st.mode & 0o7777, sha: createHash('sha256').update(readFileSync(full)).digest('hex')})
      } else if (st.isSymbolicLink()) {
        out.set(key, {kind: 'link', size: 0, mode: 0, sha: readlinkSync(full, {encoding: 'buffer'}).toString('hex')})
      } else {
        out.set(key, {kind: 'other', size: 0, mode: st.mode, sha: ''})
      }
    }
  }
  walk(Buffer.from(root), '')
  return out
}

/** Differences between two trees, as readable lines; empty when identical. */
export function diffTrees(src: string, dest: string, ignore: (rel: string) => boolean = () => false): string[] {
  const a = snapshot(src)
  const b = snapshot(dest)
  const diffs: string[] = []
  for (const [rel, e] of a) {
    if (ignore(rel)) continue
    const o = b.get(rel)
    if (!o) diffs.push(`missing in dest: ${rel}`)
    else if (o.kind !== e.kind || o.sha !== e.sha || o.size !== e.size || o.mode !== e.mode) diffs.push(`differs: ${rel}`)
  }
  for (const rel of b.keys()) if (!a.has(rel) && !ignore(rel)) diffs.push(`extra in dest: ${rel}`)
  return diffs
}

const RSYNC_TEMP = /^\..+\.[A-Za-z0-9]{6}$/

/** rsync's `.name.XXXXXX` temporary file (with data in it) directly in `dir`: rsync is mid-file. */
export function rsyncTempIn(dir: string): string | undefined {
  try {
    return readdirSync(dir).find((n) => RSYNC_TEMP.test(n) && statSync(join(dir, n)).size > 0)
  } catch {
    return undefined
  }
}

/** a `.transporter-tmp-*` dir or rsync's `.name.XXXXXX` files anywhere under root. */
export function leftovers(root: string): string[] {
  return [...snapshot(root).keys()].filter((rel) => {
    const base = rel.split('/').at(-1)!
    return base.startsWith('.transporter-tmp-') || RSYNC_TEMP.test(base)
  })
}

/** Files of `dest` that exist in `src`: each is either whole or a prefix of the source (a --partial leftover). */
export function partialOrWhole(srcFile: string, destFile: string): 'whole' | 'prefix' | 'corrupt' {
  const s = readFileSync(srcFile)
  const d = readFileSync(destFile)
  if (d.equals(s)) return 'whole'
  return d.length < s.length && s.subarray(0, d.length).equals(d) ? 'prefix' : 'corrupt'
}
