import {basename, dirname} from 'node:path'
import type {ByteString} from './byte-string.js'
import {ByteWriter} from './byte-writer.js'
import type {TreeEntry} from './source-listing.js'
import {loadOf} from './spool.js'
import {EMPTY, isInside, MIXED, type SubtreeTable} from './subtrees.js'

/**
 * Splitting a tree for --parallel and --shard. rsync lists the source once
 * (source-listing.ts) and every entry goes straight into a NUL-separated
 * `--files-from` list of paths relative to a base directory, so memory stays
 * flat however large the tree. A source without a trailing slash keeps
 * rsync's meaning (the directory itself is copied), so its name becomes the
 * first path component.
 */
export interface SplitBase {
  /** the directory rsync reads the relative paths from */
  base: string
  /** prefix every listed path has (the source's own name, or '') */
  prefix: string
}

export function splitBase(src: string): SplitBase {
  if (src.endsWith('/')) return {base: src, prefix: ''}
  return {base: dirname(src), prefix: basename(src)}
}

/** `path` as rsync takes a directory whatever a list holds: with a trailing slash. */
export function asDirectory(path: string): string {
  return path.endsWith('/') ? path : `${path}/`
}

/**
 * The part a hard-link group's first name (in listing order, the same in every
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
export function shardOf(rel: Buffer | ByteString, count: number): number {
  let hash = 0x811c9dc5
  if (typeof rel === 'string') {
    for (let i = 0; i < rel.length; i++) hash = Math.imul(hash ^ rel.charCodeAt(i), 0x01000193) >>> 0
  } else {
    for (const byte of rel) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  }
  return hash % count
}

/** A `--files-from --from0` list written through a small buffer. */
export class FileList {
  private readonly out: ByteWriter
  count = 0

  constructor(readonly path: string) {
    this.out = new ByteWriter(path, 'w')
  }

  /** `entries`: how many entries of the listing the name stands for (a whole subtree given to a worker with -r) */
  add(rel: ByteString, entries = 1): void {
    this.out.write(`${rel}\0`)
    this.count += entries
  }

  /** An entry the list counts without naming it: a directory its other names imply. */
  countImplied(): void {
    this.count++
  }

  close(): void {
    this.out.close()
  }
}

/**
 * Files go to the parts in contiguous runs of rsync's listing order, each
 * about an equal share of the load (`loadOf`: bytes plus a per-file cost):
 * a worker gets whole directories, as a hand split into quarters does,
 * instead of a share of every directory, which every worker's rsync would
 * then create, stat and time (a round trip each on network storage). When a
 * run is full, what is left is shared out again over the parts still open,
 * so one large file does not leave a part empty. The total comes from a
 * first pass (spool.ts). Called once per file, in listing order.
 */
export function runAssigner(parts: number, totalLoad: number, hardLinks = false): (file: TreeEntry) => number {
  let part = 0
  let load = 0
  let closed = 0
  const group = linkGroups<number>(hardLinks)
  return (file) =>
    group(file, () => {
      const cost = loadOf(file)
      // the run closes before a file that would take it further past its share than it falls short without it
      if (load > 0 && part < parts - 1 && load + cost / 2 > (totalLoad - closed) / (parts - part)) {
        closed += load
        load = 0
        part++
      }
      load += cost
      return part
    })
}

/**
 * The lists of --parallel. Without `subtrees` every name is listed and the
 * directories go to list 0, which creates them (the workers run without -r).
 * With them (the workers run with -r), a directory whose whole subtree is
 * one worker's is listed once, in that worker's list, and nothing under it;
 * an empty one goes to list 0; one shared by several workers is not listed
 * (their names imply it), only counted, and goes to `shared`: only those
 * need the directory pass, the others' attributes are set by the rsync
 * that copied their subtree.
 */
export function balancer(
  lists: readonly FileList[],
  totalLoad: number,
  hardLinks = false,
  subtrees?: {table: SubtreeTable; shared: FileList},
): (entry: TreeEntry) => void {
  const assign = runAssigner(lists.length, totalLoad, hardLinks)
  let ordinal = 0
  /** the directory last listed whole: what lies under it is its worker's -r, not listed again */
  let listedWhole: string | undefined
  return (entry) => {
    const dir = entry.isDir ? ordinal++ : -1
    // every file is assigned, also under a directory already listed whole: the runs must match the first pass
    const part = entry.isDir ? -1 : assign(entry)
    if (listedWhole !== undefined) {
      if (isInside(entry.rel, listedWhole)) return
      listedWhole = undefined
    }
    if (!entry.isDir) return lists[part]!.add(entry.rel)
    const whole = subtrees === undefined ? EMPTY : subtrees.table.partOf(dir)
    if (whole === EMPTY) return lists[0]!.add(entry.rel)
    if (whole === MIXED) {
      lists[0]!.countImplied()
      return subtrees!.shared.add(entry.rel)
    }
    lists[whole]!.add(entry.rel, subtrees!.table.entriesOf(dir))
    listedWhole = entry.rel
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
