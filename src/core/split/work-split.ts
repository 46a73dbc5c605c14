import {closeSync, lstatSync, openSync, readdirSync, writeSync} from 'node:fs'
import {basename, dirname} from 'node:path'

/**
 * Splitting a tree for --parallel and --shard. The source is walked once and
 * every entry goes straight into a NUL-separated `--files-from` list of paths
 * relative to a base directory, so memory stays flat however large the tree.
 * A source without a trailing slash keeps rsync's meaning (the directory
 * itself is copied), so its name becomes the first path component.
 */
export interface TreeEntry {
  /** the path relative to the split base, as the bytes the file system holds (never decoded) */
  rel: Buffer
  size: number
  isDir: boolean
  /** `dev:ino` of a regular file with more than one link: every name of it goes to one part (rsync's -H links what one rsync sees) */
  linkGroup?: string
}

export interface SplitBase {
  /** the directory rsync reads the relative paths from */
  base: string
  /** prefix every walked path gets (the source's own name, or '') */
  prefix: string
}

export function splitBase(src: string): SplitBase {
  if (src.endsWith('/')) return {base: src, prefix: ''}
  return {base: dirname(src), prefix: basename(src)}
}

const SLASH = Buffer.from('/')
const join = (dir: Buffer, name: Buffer) => (dir.length === 0 ? name : Buffer.concat([dir, SLASH, name]))

/**
 * Visits every entry once, sorted by name (as bytes) so every process sees
 * the same order. Names are bytes end to end: a name that is not valid UTF-8
 * is listed as it is. An entry that vanishes or cannot be read during the
 * walk is left to rsync, as a plain copy would (vanished → nothing to list;
 * an unreadable directory is listed and rsync reports it; the rest is copied).
 * Synchronous on purpose: nothing else runs yet, and one thread-pool round
 * trip per entry made an async walk take seconds on 50,000 files.
 */
export function walkTree(root: string, prefix: string, visit: (entry: TreeEntry) => void): void {
  const prefixBytes = Buffer.from(prefix)
  if (prefix) visit({rel: prefixBytes, size: 0, isDir: true})
  const walk = (dir: Buffer, rel: Buffer): void => {
    let entries
    try {
      entries = readdirSync(dir, {withFileTypes: true, encoding: 'buffer'})
    } catch {
      return // vanished or unreadable: rsync meets it with the list and says so
    }
    for (const entry of entries.sort((a, b) => Buffer.compare(a.name, b.name))) {
      const path = Buffer.concat([dir, SLASH, entry.name])
      const childRel = join(rel, entry.name)
      if (entry.isDirectory()) {
        visit({rel: childRel, size: 0, isDir: true})
        walk(path, childRel)
      } else if (entry.isFile()) {
        visit({rel: childRel, isDir: false, ...fileFacts(path)})
      } else {
        visit({rel: childRel, size: 0, isDir: false})
      }
    }
  }
  const start = prefix ? `${root.replace(/\/+$/, '')}/${prefix}` : root.replace(/(.)\/+$/, '$1')
  walk(Buffer.from(start), prefixBytes)
}

function fileFacts(path: Buffer): {size: number; linkGroup?: string} {
  try {
    const st = lstatSync(path)
    return st.nlink > 1 ? {size: st.size, linkGroup: `${st.dev}:${st.ino}`} : {size: st.size}
  } catch {
    return {size: 0} // gone since readdir: rsync will call it vanished
  }
}

/**
 * The part a hard-link group's first name (in walk order, the same in every
 * process) went to, for its other names. Only files with several links are
 * held, so memory follows the number of such files, not the tree's size.
 */
function linkGroups<T>(on: boolean): (entry: TreeEntry, choose: () => T) => T {
  const seen = new Map<string, T>()
  return (entry, choose) => {
    // without -H every name is a file of its own, and a shard's files are exactly those its paths hash to
    if (!on || entry.linkGroup === undefined) return choose()
    const known = seen.get(entry.linkGroup)
    if (known !== undefined) return known
    const chosen = choose()
    seen.set(entry.linkGroup, chosen)
    return chosen
  }
}

/** FNV-1a over the name's bytes: the same path lands in the same shard in every process, whatever else the tree holds. */
export function shardOf(rel: Buffer | string, count: number): number {
  let hash = 0x811c9dc5
  for (const byte of typeof rel === 'string' ? Buffer.from(rel, 'utf8') : rel) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash % count
}

const NUL = Buffer.from([0])

/** A `--files-from --from0` list written through a small buffer. */
export class FileList {
  private readonly fd: number
  private chunks: Buffer[] = []
  private pending = 0
  count = 0

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600)
  }

  add(rel: Buffer | string): void {
    this.chunks.push(typeof rel === 'string' ? Buffer.from(rel) : rel, NUL)
    this.pending += rel.length + 1
    this.count++
    if (this.pending >= 64 * 1024) this.flush()
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }

  private flush(): void {
    if (this.chunks.length > 0) writeSync(this.fd, Buffer.concat(this.chunks))
    this.chunks = []
    this.pending = 0
  }
}

/**
 * Files go to the list with the fewest bytes so far (plus a per-file cost, so
 * a tree of empty files still spreads); directories go to list 0, which
 * creates them. Online greedy: no list of the whole tree is ever held.
 */
export function balancer(lists: readonly FileList[], hardLinks = false): (entry: TreeEntry) => void {
  const load = lists.map(() => 0)
  const group = linkGroups<number>(hardLinks)
  return (entry) => {
    if (entry.isDir) {
      lists[0]!.add(entry.rel)
      return
    }
    const part = group(entry, () => {
      let best = 0
      for (let i = 1; i < load.length; i++) if (load[i]! < load[best]!) best = i
      load[best]! += entry.size + 512
      return best
    })
    lists[part]!.add(entry.rel)
  }
}

/**
 * Shard `index` of `count`: its files, plus every directory for shard 0 (empty
 * ones included), handed to `next`. A file is in the shard its path hashes to;
 * with -H a hard link's other names follow its first name.
 */
export function inShard(index: number, count: number, next: (entry: TreeEntry) => void, hardLinks = false): (entry: TreeEntry) => void {
  const group = linkGroups<number>(hardLinks)
  return (entry) => {
    if (entry.isDir ? index === 0 : group(entry, () => shardOf(entry.rel, count)) === index) next(entry)
  }
}

/** Shard `index` of `count` into one list. */
export function sharder(list: FileList, index: number, count: number): (entry: TreeEntry) => void {
  return inShard(index, count, (entry) => list.add(entry.rel))
}
