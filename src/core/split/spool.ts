import {readSync, unlinkSync} from 'node:fs'
import type {ByteString} from './byte-string.js'
import {ByteWriter} from './byte-writer.js'
import type {TreeEntry} from './source-listing.js'

/**
 * rsync's listing kept on disk between two passes, so `--parallel` can cut it
 * into contiguous runs of equal load (the total is known only at its end)
 * while memory stays flat. One record per entry: `d` or `f`, the size, a
 * space, the link group or `-`, a space, the name's bytes, NUL. Names never
 * hold NUL; size and group never hold a space, so the first two spaces end them.
 */
export class Spool {
  private readonly out: ByteWriter
  /** the sum of every file's load (see `loadOf`) */
  totalLoad = 0
  /** how many entries were added */
  entries = 0

  constructor(readonly path: string) {
    this.out = new ByteWriter(path, 'w+')
  }

  add(entry: TreeEntry): void {
    this.entries++
    if (!entry.isDir) this.totalLoad += loadOf(entry)
    this.out.write(`${entry.isDir ? 'd' : 'f'}${entry.size} ${entry.linkGroup ?? '-'} ${entry.rel}\0`)
  }

  /** Hands every entry back in the order it was added; as often as needed, until `close`. */
  replay(visit: (entry: TreeEntry) => void): void {
    this.out.flush()
    const buf = Buffer.alloc(64 * 1024)
    let carry = ''
    let offset = 0
    for (;;) {
      const n = readSync(this.out.fd, buf, 0, buf.length, offset)
      if (n === 0) break
      offset += n
      const text = carry + buf.toString('latin1', 0, n)
      let start = 0
      for (let end = text.indexOf('\0'); end !== -1; end = text.indexOf('\0', start)) {
        visit(parseRecord(text, start, end))
        start = end + 1
      }
      carry = text.slice(start)
    }
  }

  /** Closes and removes the spool. */
  close(): void {
    this.out.close()
    unlinkSync(this.path)
  }
}

function parseRecord(text: string, start: number, end: number): TreeEntry {
  const sizeEnd = text.indexOf(' ', start)
  const groupEnd = text.indexOf(' ', sizeEnd + 1)
  const group = text.slice(sizeEnd + 1, groupEnd)
  const entry: TreeEntry = {rel: text.slice(groupEnd + 1, end) as ByteString, size: Number(text.slice(start + 1, sizeEnd)), isDir: text[start] === 'd'}
  if (group !== '-') entry.linkGroup = group
  return entry
}

/** A file's share of the work: its bytes plus a per-file cost, so a tree of empty files still spreads. */
export function loadOf(entry: TreeEntry): number {
  return entry.size + 512
}
