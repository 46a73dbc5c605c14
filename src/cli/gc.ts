import {createRequire} from 'node:module'
import {join} from 'node:path'
import {useCollector, type Collector} from '../core/rsync/reclaim.js'

/**
 * The CLI process owns its V8 flags, so it may expose the collector that
 * core's read budget calls (ADR 0007); the library never flips a flag of the
 * process that hosts it. Exposed on first use: node:v8 and node:vm are not
 * loaded by a copy that never reads megabytes of rsync output.
 */
export function exposeCollector(): void {
  let collector: Collector | undefined | null = null
  useCollector((options) => {
    if (collector === null) collector = loadCollector()
    collector?.(options)
  })
}

function loadCollector(): Collector | undefined {
  try {
    // any absolute filename will do to require a builtin, and it works bundled as CommonJS too
    const require = createRequire(join(process.cwd(), 'transporter-gc.js'))
    const {setFlagsFromString} = require('node:v8') as typeof import('node:v8')
    const {runInNewContext} = require('node:vm') as typeof import('node:vm')
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as Collector
  } catch {
    return undefined
  }
}
