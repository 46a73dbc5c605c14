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

  /** The tail as text; bytes that are not valid UTF-8 become U+FFFD. */
  text(): string {
    return new TextDecoder('utf-8').decode(Buffer.concat(this.chunks))
  }

  get byteLength(): number {
    return this.size
  }
}
