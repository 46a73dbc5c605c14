import {describe, expect, test} from 'vitest'
import {LineSplitter, parseProgressLine, parseStatsLine} from '../../src/core/rsync/progress.js'

describe('rsync end-of-run summary lines (--info=stats2)', () => {
  test.each([
    ['Number of files: 1,203 (reg: 1,200, dir: 3)', {filesTotal: 1203}],
    ['Number of files: 0', {filesTotal: 0}],
    ['Number of regular files transferred: 1,234', {filesTransferred: 1234}],
    ['Number of regular files transferred: 7', {filesTransferred: 7}],
    ['Total transferred file size: 10,893 bytes', {bytes: 10893}],
  ])('%s', (line, expected) => {
    expect(parseStatsLine(line)).toEqual(expected)
  })

  test.each([
    'Number of created files: 1,203 (reg: 1,200, dir: 3)',
    'Total file size: 10,893 bytes',
    'Literal data: 10,893 bytes',
    'Total transferred file size: 10.89K bytes',
    'sent 81,687 bytes  received 22,835 bytes  209,044.00 bytes/sec',
    'a file named Number of files: 3',
  ])('not a count: %s', (line) => {
    expect(parseStatsLine(line)).toBeUndefined()
  })

  test('summary lines are not progress lines', () => {
    expect(parseProgressLine('Number of regular files transferred: 1,234')).toBeUndefined()
  })
})

describe('progress lines (spec §8.1)', () => {
  test.each([
    ['     57,060 100%   47.91kB/s    0:00:01 (xfr#9000, to-chk=0/9301)', {filesTransferred: 9000, filesTotal: 9301, bytes: 57060}],
    ['         32,768  12%    1.00MB/s    0:00:00 (xfr#3, ir-chk=1000/1012)', {filesTransferred: 3, filesTotal: 1012, bytes: 32768}],
    ['  100 10%  1.00kB/s  0:00:01 (xfr#1, to-chk=9/10)', {filesTransferred: 1, filesTotal: 10, bytes: 100}],
    ['(xfr#2, to-chk=3/5)', {filesTransferred: 2, filesTotal: 5}],
    ['(xfr#2, to-chk=3/5)   ', {filesTransferred: 2, filesTotal: 5}],
    // the patched rsync of the Go tool: N-M, an empty N is 0
    ['3-12', {filesTransferred: 3, filesTotal: 12}],
    ['-12', {filesTransferred: 0, filesTotal: 12}],
    ['0-0', {filesTransferred: 0, filesTotal: 0}],
    ['  7-9  ', {filesTransferred: 7, filesTotal: 9}],
  ])('%j', (line, sample) => {
    expect(parseProgressLine(line)).toEqual(sample)
  })

  test.each([
    'skipping non-regular file "x"',
    'sending incremental file list',
    '',
    '3-',
    '-',
    'a-12',
    '3-12 files',
    '1-2-3',
    '(xfr#2, to-chk=3/5) trailing text',
    '(xfr#, to-chk=3/5)',
    '(xfr#2, up-chk=3/5)',
    'sent 81,687 bytes  received 22,835 bytes  209,044.00 bytes/sec',
    'rsync error: some files/attrs were not transferred (code 23) at main.c(1338)',
  ])('junk: %j', (line) => {
    expect(parseProgressLine(line)).toBeUndefined()
  })
})

describe('LineSplitter: rsync ends updates with \\r and lines with \\n', () => {
  const split = (chunks: string[]) => {
    const lines: string[] = []
    const s = new LineSplitter((l) => lines.push(l))
    for (const c of chunks) s.push(c)
    s.end()
    return lines
  }

  test.each<[string[], string[]]>([
    [['\r a (xfr#1, to-chk=1/2)\r b (xfr#2, to-chk=0/2)\n'], [' a (xfr#1, to-chk=1/2)', ' b (xfr#2, to-chk=0/2)']],
    [
      ['1-', '2\n3-', '4'],
      ['1-2', '3-4'],
    ],
    [['a\r\n\r\nb'], ['a', 'b']],
    [['no newline at the end'], ['no newline at the end']],
    [[''], []],
  ])('%j → %j', (chunks, lines) => {
    expect(split(chunks)).toEqual(lines)
  })

  test('a line longer than 4096 characters is dropped whole, the next one kept', () => {
    expect(split(['x'.repeat(3000), 'y'.repeat(3000), '\n1-2\n'])).toEqual(['1-2'])
    expect(split(['z'.repeat(4096), '\n'])).toEqual(['z'.repeat(4096)])
  })
})

describe('LineSplitter with latestUpdate: of a run of updates, the last complete one', () => {
  const split = (chunks: string[]) => {
    const lines: string[] = []
    const s = new LineSplitter((l) => lines.push(l), {latestUpdate: true})
    for (const c of chunks) s.push(c)
    s.end()
    return lines
  }
  const update = (n: number, total = 9) => `\r  ${n * 10} 100%  1.00kB/s  0:00:00 (xfr#${n}, to-chk=${total - n}/${total})`

  // an update is complete when the next one's \r arrives: the last of a chunk waits for the next chunk (or the end)
  test('a burst of updates is its last complete update; the one still open is superseded by the next burst', () => {
    expect(split([update(1) + update(2) + update(3), update(4) + update(5)])).toEqual([update(2), update(4), update(5)].map((u) => u.slice(1)))
  })

  test('an update completed by the next chunk alone is handed on', () => {
    expect(split([update(1) + update(2).slice(0, 9), update(2).slice(9) + update(3)])).toEqual([update(1), update(2), update(3)].map((u) => u.slice(1)))
  })

  test('every summary line arrives, after the last update, even one that ends with ")"', () => {
    const summary = '\nNumber of files: 9 (reg: 8, dir: 1)\nNumber of regular files transferred: 8\n'
    expect(split([update(7) + update(8) + summary])).toEqual([
      update(7).slice(1),
      update(8).slice(1),
      'Number of files: 9 (reg: 8, dir: 1)',
      'Number of regular files transferred: 8',
    ])
  })

  test('other lines keep their place between runs of updates; \r\n is one end', () => {
    expect(split([`${update(1)}${update(2)}${update(3)}\nskipping non-regular file "x"\r\n${update(4)}${update(5)}\n`])).toEqual([
      update(2).slice(1),
      update(3).slice(1),
      'skipping non-regular file "x"',
      update(4).slice(1),
      update(5).slice(1),
    ])
  })

  test('an overlong line is dropped whole', () => {
    expect(split(['x'.repeat(5000), `tail\n${update(2)}\n`])).toEqual([update(2).slice(1)])
  })

  test('parsing what it hands on ends where parsing every line ends, with far fewer lines', () => {
    const stream = Array.from({length: 5000}, (_, i) => update(i + 1, 5000)).join('') + '\nNumber of files: 5,000\n'
    const chunks = stream.match(/[\s\S]{1,65536}/g)!
    const every: string[] = []
    const all = new LineSplitter((l) => every.push(l))
    for (const c of chunks) all.push(c)
    all.end()
    const latest = split(chunks)
    expect(latest.length).toBeLessThanOrEqual(3 * chunks.length + 1)
    expect(every.length).toBe(5001)
    const lastUpdate = (lines: string[]) =>
      lines
        .map((l) => parseProgressLine(l))
        .filter((x) => x !== undefined)
        .at(-1)
    expect(lastUpdate(latest)).toEqual(lastUpdate(every))
    expect(lastUpdate(latest)).toEqual({filesTransferred: 5000, filesTotal: 5000, bytes: 50000})
    expect(latest.at(-1)).toBe('Number of files: 5,000')
  })
})
