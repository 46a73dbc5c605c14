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

/**
 * A split copy makes a short-lived string for every name rsync lists. At that
 * rate V8 grows its young generation to 16 MB semi-spaces, which stay
 * resident: on 300,000 files that alone broke the 80 MB budget of spec §11.
 * Kept at its first size the young generation is collected more often, each
 * collection as cheap (ADR 0014 has the figures). Set only for split copies.
 */
export function keepYoungGenerationSmall(): void {
  try {
    builtin<typeof import('node:v8')>('node:v8').setFlagsFromString('--semi-space-growth-factor=1')
  } catch {
    // a runtime without the flag keeps V8's default
  }
}

function loadCollector(): Collector | undefined {
  try {
    builtin<typeof import('node:v8')>('node:v8').setFlagsFromString('--expose-gc')
    return builtin<typeof import('node:vm')>('node:vm').runInNewContext('gc') as Collector
  } catch {
    return undefined
  }
}

function builtin<T>(name: string): T {
  // any absolute filename will do to require a builtin, and it works bundled as CommonJS too
  return createRequire(join(process.cwd(), 'transporter-gc.js'))(name) as T
}
