import {describe, expect, it} from 'vitest'
import {goJsonInt, goJsonString} from '../src/go-json.js'
import {encodeReport, errorReport, progressReport} from '../src/report-payload.js'

// Expected strings are what Go's json.Marshal (Go ≥ 1.22) writes for the same input.
const utf8 = (bytes: number[]) => new TextDecoder().decode(Uint8Array.from(bytes))

describe('goJsonString', () => {
  it.each([
    ['plain ascii', 'hello world /x', String.raw`"hello world /x"`],
    ['HTML-sensitive characters', 'a<b>&c\u2028', String.raw`"a\u003cb\u003e\u0026c\u2028"`],
    ['line and paragraph separators', '\u2028\u2029', String.raw`"\u2028\u2029"`],
    ['quote and backslash', 'say "hi" \\ bye', String.raw`"say \"hi\" \\ bye"`],
    ['short escapes', '\n\r\t\b\f', String.raw`"\n\r\t\b\f"`],
    ['other control characters', '\u0000\u0001\u000b\u001b\u001f', String.raw`"\u0000\u0001\u000b\u001b\u001f"`],
    ['DEL stays raw', '\u007f', '"\u007f"'],
    ['non-ASCII stays raw UTF-8', 'é 日本 🙂 \u0085 \u00a0', '"é 日本 🙂 \u0085 \u00a0"'],
    ['lone high surrogate', 'a\ud800b', String.raw`"a\ufffdb"`],
    ['lone low surrogate at the end', 'a\udc00', String.raw`"a\ufffd"`],
    ['reversed surrogates', '\udc00\ud800', String.raw`"\ufffd\ufffd"`],
    ['empty', '', '""'],
  ])('%s', (_name, input, expected) => {
    expect(goJsonString(input)).toBe(expected)
  })

  it('writes invalid UTF-8 (decoded with TextDecoder) as Go does', () => {
    // Go 1.22: json.Marshal("1&$'\f\x16\xfa\xbah\xc9zz\x89DR\xf3")
    const input = utf8([0x31, 0x26, 0x24, 0x27, 0x0c, 0x16, 0xfa, 0xba, 0x68, 0xc9, 0x7a, 0x7a, 0x89, 0x44, 0x52, 0xf3])
    expect(goJsonString(input)).toBe(String.raw`"1\u0026$'\f\u0016\ufffd\ufffdh\ufffdzz\ufffdDR\ufffd"`)
  })

  it('writes a Latin-1 file name in an rsync error line with one replacement per byte', () => {
    const bytes = [...Buffer.from('rsync: [sender] send_files failed to open "/src/caf'), 0xe9, ...Buffer.from('": Permission denied (13)\n')]
    expect(goJsonString(utf8(bytes))).toBe(String.raw`"rsync: [sender] send_files failed to open \"/src/caf\ufffd\": Permission denied (13)\n"`)
  })

  it('round-trips through JSON.parse for every BMP code unit', () => {
    let all = ''
    for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCharCode(c)
    const parsed = JSON.parse(goJsonString(all)) as string
    // U+FFFD is written escaped and reads back as itself; nothing else changes
    expect(parsed).toBe(all)
  })
})

describe('goJsonInt', () => {
  it.each([
    [0, '0'],
    [13, '13'],
    [-1, '-1'],
    [-0, '0'],
    [2.9, '2'],
    [Number.NaN, '0'],
    [Number.POSITIVE_INFINITY, '0'],
    [1e21, '1000000000000000000000'],
  ])('%s → %s', (n, expected) => {
    expect(goJsonInt(n)).toBe(expected)
  })
})

describe('report bodies', () => {
  it('progress: five keys in the Go order, compact', () => {
    expect(progressReport(3, 12)).toBe('{"current_count":3,"total_count":12,"message":"","errcode":0,"reason":""}')
  })

  it('error: stderr tail escaped like Go', () => {
    expect(errorReport('rsync error: <x> & "y"\n', 13, 'exit status 23')).toBe(
      String.raw`{"current_count":0,"total_count":0,"message":"rsync error: \u003cx\u003e \u0026 \"y\"\n","errcode":13,"reason":"exit status 23"}`,
    )
  })

  it('encodeReport keeps the key order whatever the values', () => {
    const body = encodeReport({reason: 'r', errcode: 143, message: 'm', totalCount: 2, currentCount: 1})
    expect(body).toBe('{"current_count":1,"total_count":2,"message":"m","errcode":143,"reason":"r"}')
  })
})
