import {closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmdirSync, statfsSync, unlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Read and truncated once this much has been read: the file stays small however long the copy. */
const TRUNCATE_AFTER = 256 * 1024

/**
 * A file is made only where this much is free. rsync ignores failed writes to its stdout: in a full TMPDIR the
 * end-of-run counts would be lost without a word (a copy's --json said 0 files of 0), where a pipe loses nothing.
 */
const MIN_FREE_BYTES = 1024 * 1024

/**
 * rsync's stdout as an append-only regular file instead of a pipe (ADR 0011):
 * rsync flushes one small progress update per file, and a write to a file
 * costs it far less than a write to a socket Node must wake up for. The file
 * is unlinked at once (only the two descriptors keep it), sampled on a timer
 * and at the end, and truncated when read to its end.
 */
export class StdoutFile {
  readonly #read: number
  /** given to rsync as fd 1; kept here for ftruncate */
  readonly writeFd: number
  readonly #truncates: boolean
  #offset = 0
  readonly #buf = Buffer.alloc(64 * 1024)

  private constructor(read: number, write: number, truncates: boolean) {
    this.#read = read
    this.writeFd = write
    this.#truncates = truncates
  }

  /**
   * undefined where no private file can be made (a read-only or nearly full TMPDIR): the caller uses a pipe.
   * `truncates: false` for a reader that needs every line: a line written between the last read and a truncate
   * would be lost, so the file keeps all of them (it is gone with its descriptors).
   */
  static open({truncates = true, dir = tmpdir()}: {truncates?: boolean; dir?: string} = {}): StdoutFile | undefined {
    let made: string | undefined
    let write: number | undefined
    try {
      const room = statfsSync(dir)
      if (room.bavail * room.bsize < MIN_FREE_BYTES) return undefined
      made = mkdtempSync(join(dir, 'transporter-out-'))
      const path = join(made, 'stdout')
      write = openSync(path, 'a', 0o600)
      const read = openSync(path, 'r')
      return new StdoutFile(read, write, truncates)
    } catch {
      // out of descriptors, a read-only or full TMPDIR: the pipe will do
      if (write !== undefined) closeSync(write)
      return undefined
    } finally {
      // without a directory read (which needs a descriptor too): the file, then the empty directory
      if (made !== undefined) {
        quietly(() => unlinkSync(join(made!, 'stdout')))
        quietly(() => rmdirSync(made!))
      }
    }
  }

  /** Hands everything written since the last call to `push`; truncates the file (unless told not to) when it was read to its end. */
  drain(push: (chunk: string) => void): void {
    for (;;) {
      const n = readSync(this.#read, this.#buf, 0, this.#buf.length, this.#offset)
      if (n === 0) break
      this.#offset += n
      push(this.#buf.toString('latin1', 0, n))
    }
    if (this.#truncates && this.#offset >= TRUNCATE_AFTER) {
      // rsync appends (O_APPEND): after this its next write lands at 0 again
      ftruncateSync(this.writeFd, 0)
      this.#offset = 0
    }
  }

  close(): void {
    closeSync(this.#read)
    closeSync(this.writeFd)
  }
}

function quietly(action: () => void): void {
  try {
    action()
  } catch {
    // already gone, or never made
  }
}
