import {fstatSync, readdirSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {describe, expect, it} from 'vitest'
import {StdoutFile} from '../../src/core/rsync/stdout-file.js'

const ours = () => readdirSync(tmpdir()).filter((n) => n.startsWith('transporter-out-'))

describe("StdoutFile: rsync's stdout as a sampled, self-truncating file (ADR 0011)", () => {
  it('leaves nothing on disk: the file lives only through its two descriptors', () => {
    const before = ours().length
    const f = StdoutFile.open()
    expect(f).toBeDefined()
    expect(ours().length).toBe(before)
    f!.close()
  })

  it('hands over exactly what was appended since the last drain, and truncates once it read 256 KiB to the end', () => {
    const f = StdoutFile.open()!
    const got: string[] = []
    writeSync(f.writeFd, '\r  1 (xfr#1, to-chk=9/10)')
    f.drain((c) => got.push(c))
    expect(got.join('')).toBe('\r  1 (xfr#1, to-chk=9/10)')
    f.drain((c) => got.push(c))
    expect(got).toHaveLength(1)
    // a long copy: the file never grows past what was read
    const update = `\r${'x'.repeat(70)} (xfr#2, to-chk=8/10)`
    let written = 0
    while (written < 300 * 1024) written += writeSync(f.writeFd, update)
    let read = 0
    f.drain((c) => (read += c.length))
    expect(read).toBe(written)
    expect(fstatSync(f.writeFd).size).toBe(0)
    writeSync(f.writeFd, 'after the truncate\n')
    const after: string[] = []
    f.drain((c) => after.push(c))
    expect(after.join('')).toBe('after the truncate\n')
    f.close()
  })

  it('for a reader of every line (the listing) never truncates: what rsync writes while a drain runs is never lost', () => {
    const f = StdoutFile.open({truncates: false})!
    const line = `-rw-r--r--  4096 2026/12/01 10:00:00 ${'n'.repeat(40)}\n`
    let written = 0
    let read = ''
    while (written < 600 * 1024) {
      written += writeSync(f.writeFd, line)
      if (written % (64 * 1024) < line.length) f.drain((c) => (read += c))
    }
    f.drain((c) => (read += c))
    expect(read.length).toBe(written)
    expect(fstatSync(f.writeFd).size).toBe(written)
    expect(
      read
        .split('\n')
        .filter(Boolean)
        .every((l) => `${l}\n` === line),
    ).toBe(true)
    f.close()
  })
})
