import {lstatSync, readdirSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/**
 * Splitting a tree for --parallel and --shard. Both walk the source once and
 * hand rsync NUL-separated `--files-from` lists of paths relative to a base
 * directory. A source without a trailing slash keeps rsync's meaning (the
 * directory itself is copied), so its name becomes the first path component.
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

/**
 * Walks the tree once, sorted by name so every process sees the same order.
 * Synchronous on purpose: nothing else runs yet, and one thread-pool round
 * trip per entry made the async walk take seconds on 50,000 files.
 */
export async function walkTree(root: string, prefix: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = []
  if (prefix) out.push({rel: prefix, size: 0, isDir: true})
  const walk = (dir: string, rel: string): void => {
    const entries = readdirSync(dir, {withFileTypes: true}).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const path = join(dir, entry.name)
      const childRel = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        out.push({rel: childRel, size: 0, isDir: true})
        walk(path, childRel)
      } else {
        out.push({rel: childRel, size: entry.isFile() ? lstatSync(path).size : 0, isDir: false})
      }
    }
  }
  walk(prefix ? join(root, prefix) : root, prefix)
  return out
}

/** N lists balanced by bytes then by file count (greedy, largest first). Directories go to list 0. */
export function balance(entries: readonly TreeEntry[], n: number): TreeEntry[][] {
  const bins = Array.from({length: n}, () => ({items: [] as TreeEntry[], bytes: 0, files: 0}))
  const files = entries.filter((e) => !e.isDir).sort((a, b) => b.size - a.size || (a.rel < b.rel ? -1 : 1))
  for (const file of files) {
    let best = bins[0]!
    for (const bin of bins) if (bin.bytes < best.bytes || (bin.bytes === best.bytes && bin.files < best.files)) best = bin
    best.items.push(file)
    best.bytes += file.size + 512 // per-file cost: a tree of empty files still spreads
    best.files++
  }
  bins[0]!.items.unshift(...entries.filter((e) => e.isDir))
  return bins.map((b) => b.items)
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

/** Shard `index` of `count`: its files, plus every directory for shard 0 (empty ones included). */
export function shardEntries(entries: readonly TreeEntry[], index: number, count: number): TreeEntry[] {
  return entries.filter((e) => (e.isDir ? index === 0 : shardOf(e.rel, count) === index))
}

export async function writeFileList(path: string, entries: readonly TreeEntry[]): Promise<void> {
  await writeFile(path, entries.map((e) => `${e.rel}\0`).join(''), {mode: 0o600})
}
