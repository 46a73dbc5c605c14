import type {TreeEntry} from './source-listing.js'

/** A directory whose subtree holds entries of more than one part. */
export const MIXED = -1
/** A directory with nothing in it (after the copy's filters). */
export const EMPTY = -2

/**
 * For every directory of rsync's listing (by its ordinal among the
 * directories, in listing order): the one part its whole subtree falls in,
 * or MIXED or EMPTY, and how many entries the subtree holds, itself
 * included. A worker given such a directory with `-r` copies the subtree
 * itself, so its `--files-from` list names one directory instead of every
 * file: rsync reads that list one byte per read() call, which cost a
 * 5,000-file part ~40 % of its copy time on a tmpfs. One value per
 * directory is held, never one per file.
 */
export class SubtreeTable {
  private parts = new Int32Array(1024)
  private counts = new Uint32Array(1024)
  size = 0

  partOf(ordinal: number): number {
    return this.parts[ordinal]!
  }

  entriesOf(ordinal: number): number {
    return this.counts[ordinal]!
  }

  set(ordinal: number, part: number, entries: number): void {
    if (ordinal >= this.parts.length) {
      const parts = new Int32Array(this.parts.length * 2)
      parts.set(this.parts)
      this.parts = parts
      const counts = new Uint32Array(this.counts.length * 2)
      counts.set(this.counts)
      this.counts = counts
    }
    this.parts[ordinal] = part
    this.counts[ordinal] = entries
    this.size = Math.max(this.size, ordinal + 1)
  }
}

interface Open {
  rel: string
  ordinal: number
  part: number
  entries: number
}

/**
 * One pass over the listing with the same part assignment the lists will
 * get (`assign`, called once per file in order, like the second pass).
 * Needs every subtree to come as one run right after its directory (rsync's
 * order is depth-first); when the order says otherwise, undefined: every
 * name is then listed on its own, as correct, only slower.
 */
export function findWholeSubtrees(replay: (visit: (entry: TreeEntry) => void) => void, assign: (file: TreeEntry) => number): SubtreeTable | undefined {
  const table = new SubtreeTable()
  const stack: Open[] = []
  let ordinal = 0
  let depthFirst = true
  const merge = (into: Open | undefined, part: number, entries: number) => {
    if (into === undefined) return
    into.entries += entries
    if (part === EMPTY) return
    into.part = into.part === EMPTY || into.part === part ? part : MIXED
  }
  const close = () => {
    const done = stack.pop()!
    table.set(done.ordinal, done.part, done.entries)
    merge(stack.at(-1), done.part, done.entries)
  }
  replay((entry) => {
    if (!depthFirst) return
    const rel = entry.rel
    while (stack.length > 0 && !isInside(rel, stack[stack.length - 1]!.rel)) close()
    const top = stack[stack.length - 1]
    // inside the innermost open directory (or at the top), and right in it: its parent is that directory
    if (rel.lastIndexOf('/') !== (top === undefined ? -1 : top.rel.length)) {
      depthFirst = false
      return
    }
    if (entry.isDir) stack.push({rel, ordinal: ordinal++, part: EMPTY, entries: 1})
    else merge(top, assign(entry), 1)
  })
  if (!depthFirst) return undefined
  while (stack.length > 0) close()
  return table
}

/** `rel` lies under the directory `dir` (checked without building `${dir}/`: this runs once per entry). */
export function isInside(rel: string, dir: string): boolean {
  return rel.length > dir.length && rel.charCodeAt(dir.length) === 0x2f && rel.startsWith(dir)
}
