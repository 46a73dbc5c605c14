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
  rel: string
  size: number
  isDir: boolean
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

const byName = (a: {name: string}, b: {name: string}) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * Visits every entry once, sorted by name so every process sees the same
 * order. Synchronous on purpose: nothing else runs yet, and one thread-pool
 * round trip per entry made an async walk take seconds on 50,000 files.
 */
export function walkTree(root: string, prefix: string, visit: (entry: TreeEntry) => void): void {
  if (prefix) visit({rel: prefix, size: 0, isDir: true})
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, {withFileTypes: true}).sort(byName)) {
      const path = `${dir}/${entry.name}`
      const childRel = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        visit({rel: childRel, size: 0, isDir: true})
        walk(path, childRel)
      } else {
        visit({rel: childRel, size: entry.isFile() ? lstatSync(path).size : 0, isDir: false})
      }
    }
  }
  walk(prefix ? `${root.replace(/\/+$/, '')}/${prefix}` : root.replace(/(.)\/+$/, '$1'), prefix)
}

/** FNV-1a: the same path lands in the same shard in every process, whatever else the tree holds. */
export function shardOf(rel: string, count: number): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(rel, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash % count
}

/** A `--files-from --from0` list written through a small buffer. */
export class FileList {
  private readonly fd: number
  private chunks: string[] = []
  private pending = 0
  count = 0

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600)
  }

  add(rel: string): void {
    this.chunks.push(rel, '\0')
    this.pending += rel.length + 1
    this.count++
    if (this.pending >= 64 * 1024) this.flush()
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }

  private flush(): void {
    if (this.chunks.length > 0) writeSync(this.fd, this.chunks.join(''))
    this.chunks = []
    this.pending = 0
  }
}

/**
 * Files go to the list with the fewest bytes so far (plus a per-file cost, so
 * a tree of empty files still spreads); directories go to list 0, which
 * creates them. Online greedy: no list of the whole tree is ever held.
 */
export function balancer(lists: readonly FileList[]): (entry: TreeEntry) => void {
  const load = lists.map(() => 0)
  return (entry) => {
    if (entry.isDir) {
      lists[0]!.add(entry.rel)
      return
    }
    let best = 0
    for (let i = 1; i < load.length; i++) if (load[i]! < load[best]!) best = i
    load[best]! += entry.size + 512
    lists[best]!.add(entry.rel)
  }
}

/** Shard `index` of `count`: its files, plus every directory for shard 0 (empty ones included), handed to `next`. */
export function inShard(index: number, count: number, next: (entry: TreeEntry) => void): (entry: TreeEntry) => void {
  return (entry) => {
    if (entry.isDir ? index === 0 : shardOf(entry.rel, count) === index) next(entry)
  }
}

/** Shard `index` of `count` into one list. */
export function sharder(list: FileList, index: number, count: number): (entry: TreeEntry) => void {
  return inShard(index, count, (entry) => list.add(entry.rel))
}
