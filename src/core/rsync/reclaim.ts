import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

/**
 * Pipe reads allocate a fresh Buffer per chunk outside V8's heap. V8 only
 * collects them when its own heap fills or external memory grows by tens of
 * MB, so a flood of rsync output (100 MB of stderr) would push RSS far past
 * the 80 MB budget with dead chunks. A young-generation collection every few
 * MB read frees them; it costs well under a millisecond.
 */
type Gc = (options?: {type?: 'minor' | 'major'}) => void

let gc: Gc | undefined | null = null

export function reclaimReadBuffers(): void {
  if (gc === null) {
    try {
      setFlagsFromString('--expose-gc')
      gc = runInNewContext('gc') as Gc
    } catch {
      gc = undefined
    }
  }
  gc?.({type: 'minor'})
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
