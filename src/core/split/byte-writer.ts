import {closeSync, openSync, writeSync} from 'node:fs'

/**
 * A private (0600) file that byte strings are appended to through a 64 KiB
 * buffer: the split's lists and its spool. latin1 writes one byte per
 * character, so the names' bytes come back exactly.
 */
export class ByteWriter {
  readonly fd: number
  private pending = ''

  constructor(path: string, flags: 'w' | 'w+') {
    this.fd = openSync(path, flags, 0o600)
  }

  write(text: string): void {
    this.pending += text
    if (this.pending.length >= 64 * 1024) this.flush()
  }

  flush(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending, null, 'latin1')
    this.pending = ''
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }
}
