import {describe, expect, it} from 'vitest'
import {CLEAR_LINE, StatusLine, terminalSinks, type StatusStream} from '../../src/cli/status-line.js'
import {createLogger} from '../../src/cli/logger.js'

/** A stream that records every write as it came (one entry per write call). */
function recorder(isTTY = true, columns = 40) {
  const writes: string[] = []
  let ok = true
  const stream = {
    isTTY,
    columns,
    write(chunk: string | Uint8Array) {
      writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      return ok
    },
  }
  return {stream: stream as StatusStream, writes, text: () => writes.join(''), full: (v: boolean) => void (ok = !v)}
}

/**
 * What a terminal shows for `text`: `\r` returns to the line's start, `ESC[K`
 * erases the rest of it, `\n` ends it. The screen's lines, the cursor's last.
 */
function screen(text: string): string[] {
  const lines: string[] = ['']
  let col = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    const row = lines.length - 1
    if (text.startsWith('\x1b[K', i)) {
      lines[row] = lines[row]!.slice(0, col)
      i += 2
    } else if (ch === '\r') col = 0
    else if (ch === '\n') {
      lines.push('')
      col = 0
    } else {
      const line = lines[row]!
      lines[row] = line.slice(0, col) + ch + line.slice(col + 1)
      col++
    }
  }
  return lines
}

describe('StatusLine: the owner of the terminal last line', () => {
  it('clears the status before a write and draws it again after, in one write', () => {
    const r = recorder()
    const owner = new StatusLine(r.stream)
    owner.status('[####    ] 48%')
    owner.write('2026-01-01T00:00:00.000Z WARN  something\n')
    owner.status('[#####   ] 52%')
    expect(r.writes).toEqual([
      `${CLEAR_LINE}[####    ] 48%`,
      `${CLEAR_LINE}2026-01-01T00:00:00.000Z WARN  something\n[####    ] 48%`,
      `${CLEAR_LINE}[#####   ] 52%`,
    ])
    expect(screen(r.text())).toEqual(['2026-01-01T00:00:00.000Z WARN  something', '[#####   ] 52%'])
  })

  it('writes bytes (rsync stderr) around the status and keeps them as bytes', () => {
    const r = recorder()
    const owner = new StatusLine(r.stream)
    owner.status('bar 10%')
    const bytes = Buffer.from([0x72, 0x73, 0x79, 0x6e, 0x63, 0x3a, 0x20, 0xff, 0x0a])
    let seen: Uint8Array | undefined
    const capture = {
      isTTY: true,
      columns: 40,
      write(chunk: string | Uint8Array) {
        if (typeof chunk !== 'string') seen = chunk
        return true
      },
    }
    const byteOwner = new StatusLine(capture)
    byteOwner.status('bar 10%')
    byteOwner.write(bytes)
    expect(Buffer.from(seen!)).toEqual(Buffer.concat([Buffer.from(CLEAR_LINE), bytes, Buffer.from('bar 10%')]))
    owner.write(Buffer.from('rsync: failed (13)\n'))
    expect(screen(r.text())).toEqual(['rsync: failed (13)', 'bar 10%'])
  })

  it('never draws the status inside a line someone has not finished', () => {
    const r = recorder()
    const owner = new StatusLine(r.stream)
    owner.status('bar 1')
    owner.write('rsync: send_files fail')
    owner.status('bar 2')
    owner.status('bar 3')
    expect(screen(r.text())).toEqual(['rsync: send_files fail'])
    owner.write('ed (13)\n')
    expect(screen(r.text())).toEqual(['rsync: send_files failed (13)', 'bar 3'])
  })

  it('clearStatus leaves an empty last line, and nothing is drawn again after it', () => {
    const r = recorder()
    const owner = new StatusLine(r.stream)
    owner.clearStatus()
    expect(r.writes).toEqual([])
    owner.status('bar 48%')
    owner.clearStatus()
    owner.write('2026 ERROR stopped\n')
    expect(screen(r.text())).toEqual(['2026 ERROR stopped', ''])
    expect(r.text().endsWith('stopped\n')).toBe(true)
  })

  it('cuts the status to one line narrower than the terminal', () => {
    const r = recorder(true, 10)
    const owner = new StatusLine(r.stream)
    owner.status('0123456789abcdef\nnext')
    expect(r.writes).toEqual([`${CLEAR_LINE}012345678`])
  })

  it('on a stream that is not a terminal: no status, text unchanged', () => {
    const r = recorder(false)
    const owner = new StatusLine(r.stream)
    owner.status('bar 48%')
    owner.write('a line\n')
    owner.clearStatus()
    expect(r.writes).toEqual(['a line\n'])
  })

  it('passes the stream backpressure through', () => {
    const r = recorder()
    const owner = new StatusLine(r.stream)
    r.full(true)
    expect(owner.write('x\n')).toBe(false)
    r.full(false)
    expect(owner.write('y\n')).toBe(true)
  })
})

describe('terminalSinks: what the copy command gives the logger, plugins and the rsync echo', () => {
  it('log lines, rsync stderr and plugin writes all go around the bar, redacted where text', () => {
    const out = recorder()
    const err = recorder()
    const t = terminalSinks(out.stream, err.stream)
    const log = createLogger(t.stderr, {level: 'info'})
    t.stderr.status('[####] 48% | 12/25 files')
    log.warn('report to http://user:secret@host/r?token=abc failed')
    t.echo(Buffer.from('rsync: [sender] opendir "/src/x" failed: Permission denied (13)\n'))
    t.stdout.write('{"type":"progress"}\n')
    t.stderr.status('[#####] 52% | 13/25 files')
    const lines = screen(err.text())
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^\S+ WARN {2}report to http:\/\/user:\*\*\*@host\/r\?\*\*\* failed$/)
    expect(lines[1]).toBe('rsync: [sender] opendir "/src/x" failed: Permission denied (13)')
    expect(lines[2]).toBe('[#####] 52% | 13/25 files')
    expect(err.text()).not.toContain('secret')
    // stdout on the same terminal: the bar was cleared before it and drawn again after
    expect(out.writes).toEqual(['{"type":"progress"}\n'])
    expect(err.writes.slice(-3)).toEqual([CLEAR_LINE, '[####] 48% | 12/25 files', `${CLEAR_LINE}[#####] 52% | 13/25 files`])
    t.clear()
    expect(screen(err.text()).at(-1)).toBe('')
  })

  it('with stdout piped, its writes leave the bar alone', () => {
    const out = recorder(false)
    const err = recorder()
    const t = terminalSinks(out.stream, err.stream)
    t.stderr.status('bar')
    t.stdout.write('{"exitCode":0}\n')
    expect(out.writes).toEqual(['{"exitCode":0}\n'])
    expect(err.writes).toEqual([`${CLEAR_LINE}bar`])
  })
})
