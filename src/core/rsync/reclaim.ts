/**
 * Pipe reads allocate a fresh Buffer per chunk outside V8's heap. V8 only
 * collects them when its own heap fills or external memory grows by tens of
 * MB, so a flood of rsync output (100 MB of stderr) would push RSS far past
 * the 80 MB budget with dead chunks. A young-generation collection every few
 * MB read frees them; it costs well under a millisecond.
 */
export type Collector = (options?: {type?: 'minor' | 'major'}) => void

let collect: Collector | undefined

/**
 * The host hands in a collector: the CLI exposes V8's (see src/cli/gc.ts and
 * ADR 0007); a library host that gives none keeps its own GC settings, and
 * reads then simply wait for V8 as usual.
 */
export function useCollector(collector: Collector | undefined): void {
  collect = collector
}

export function reclaimReadBuffers(): void {
  collect?.({type: 'minor'})
}

/** Calls reclaimReadBuffers() after every `every` bytes counted. */
export function readBudget(every = 2 * 1024 * 1024): (bytes: number) => void {
  let since = 0
  return (bytes) => {
    since += bytes
    if (since < every) return
    since = 0
    reclaimReadBuffers()
  }
}
