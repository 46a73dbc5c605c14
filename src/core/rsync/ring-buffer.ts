/** How much of rsync's stderr is kept for reports and classification by default (spec §5). */
export const DEFAULT_TAIL_BYTES = 64 * 1024

/**
 * Keeps the last `limit` bytes written to it. rsync may print without bound
 * (100 MB of stderr in the memory bench); only the tail is kept.
 */
export class TailBuffer {
  private chunks: Buffer[] = []
  private size = 0

  constructor(private readonly limit: number) {}

  write(chunk: Buffer): void {
    if (this.limit <= 0) return
    if (chunk.length >= this.limit) {
      this.chunks = [chunk.subarray(chunk.length - this.limit)]
      this.size = this.limit
      return
    }
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.size > this.limit) {
      const first = this.chunks[0]!
      const excess = this.size - this.limit
      if (first.length <= excess) {
        this.chunks.shift()
        this.size -= first.length
      } else {
        this.chunks[0] = first.subarray(excess)
        this.size -= excess
      }
    }
    // Many tiny chunks would make the array itself grow; fold them now and then.
    if (this.chunks.length > 256) this.chunks = [Buffer.concat(this.chunks)]
  }

  /** The tail as text; every byte that is not part of valid UTF-8 becomes one U+FFFD, as Go decodes. */
  text(): string {
    return decodeUtf8LikeGo(Buffer.concat(this.chunks))
  }

  get byteLength(): number {
    return this.size
  }
}

/**
 * UTF-8 decoding with Go's replacement rule: each byte that does not start a
 * valid sequence becomes one U+FFFD (TextDecoder replaces a truncated sequence
 * as a whole, which would make the error report differ from the Go tool's).
 */
export function decodeUtf8LikeGo(bytes: Uint8Array): string {
  let out = ''
  let run = 0 // start of the current stretch of valid bytes
  let i = 0
  const flush = (end: number) => {
    if (end > run) out += Buffer.from(bytes.buffer, bytes.byteOffset + run, end - run).toString('utf8')
  }
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i)
    if (n > 0) {
      i += n
      continue
    }
    flush(i)
    out += '\uFFFD'
    i++
    run = i
  }
  flush(i)
  return out
}

/** Length of the valid UTF-8 sequence at `i` (1–4), or 0 (overlong forms, surrogates and > U+10FFFF are invalid). */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!
  if (c < 0x80) return 1
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0
  return 0
}
