import {describe, expect, it} from 'vitest'
import {decodeUtf8LikeGo, TailBuffer} from '../../src/core/rsync/ring-buffer.js'

describe('TailBuffer', () => {
  it('keeps only the last `limit` bytes, whatever the chunking', () => {
    const tail = new TailBuffer(10)
    for (const piece of ['abc', 'defghij', 'klmnopqrstuvwxyz', '0', '123']) tail.write(Buffer.from(piece))
    expect(tail.text()).toBe('rstuvwxyz0123'.slice(-10))
    expect(tail.byteLength).toBe(10)
  })

  it('stays bounded under many tiny writes', () => {
    const tail = new TailBuffer(64 * 1024)
    for (let i = 0; i < 200_000; i++) tail.write(Buffer.from(`line ${i}\n`))
    expect(tail.byteLength).toBe(64 * 1024)
    expect(tail.text().endsWith('line 199999\n')).toBe(true)
  })
})

describe('decodeUtf8LikeGo', () => {
  it.each([
    ['valid text stays as is', Buffer.from('héllo ✓ 日本 😀'), 'héllo ✓ 日本 😀'],
    ['a lone invalid byte', Buffer.from([0x61, 0xff, 0x62]), 'a\uFFFDb'],
    ['a truncated 3-byte sequence: one U+FFFD per byte, as Go', Buffer.from([0xe2, 0x82, 0x2e]), '\uFFFD\uFFFD.'],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf]), '\uFFFD\uFFFD'],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80]), '\uFFFD\uFFFD\uFFFD'],
    ['beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), '\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['a sequence cut at the end', Buffer.from([0x41, 0xf0, 0x9f, 0x98]), 'A\uFFFD\uFFFD\uFFFD'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeUtf8LikeGo(bytes)).toBe(expected)
  })
})
