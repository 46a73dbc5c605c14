import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import {useCollector, type Collector} from '../core/rsync/reclaim.js'

/**
 * The CLI process owns its V8 flags, so it may expose the collector that
 * core's read budget calls (ADR 0007); the library never flips a flag of the
 * process that hosts it.
 */
export function exposeCollector(): void {
  try {
    setFlagsFromString('--expose-gc')
    useCollector(runInNewContext('gc') as Collector)
  } catch {
    useCollector(undefined)
  }
}
