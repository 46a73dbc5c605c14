import type {TransporterConfig} from '../core/config/load.js'
import {usageError} from '../core/codes/errors.js'
import type {RunSettings} from '../plugin-api.js'
import {envName} from './copy-flag-spec.js'
import {parseGoBool, parseGoInt} from './go-flags.js'

/** What oclif parsed; undefined means "not given on the command line". */
export interface CopyFlags {
  src?: string | undefined
  dest?: string | undefined
  'dest-dir'?: boolean | undefined
  progress?: boolean | undefined
  stderr?: boolean | undefined
  'report-addr'?: string | undefined
  'report-interval'?: number | undefined
  'dry-run'?: boolean | undefined
  retries?: number | undefined
  parallel?: number | undefined
  shard?: string | undefined
  verify?: boolean | undefined
  quiet?: boolean | undefined
  'progress-bar'?: boolean | undefined
  json?: boolean | undefined
  'rsync-path'?: string | undefined
}

export interface ResolvedCopy {
  settings: RunSettings
  destDir: boolean
  retries: number | undefined
  parallel: number
  shard: {index: number; count: number} | undefined
  verify: boolean
  rsyncPath: string
}

const DEFAULT_INTERVAL_S = 5
/** The longest delay a Node timer honours (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** flag > TRANSPORTER_* environment > config file `copy:` > built-in default (spec §1.2). */
export function resolveCopySettings(flags: CopyFlags, env: NodeJS.ProcessEnv, cfg: TransporterConfig): ResolvedCopy {
  const c = cfg.copy
  const str = (name: keyof CopyFlags & string, fromConfig?: string): string | undefined =>
    (flags[name] as string | undefined) ?? nonEmpty(env[envName(name)]) ?? fromConfig
  const bool = (name: keyof CopyFlags & string, fromConfig: boolean | undefined, dflt: boolean): boolean => {
    const flag = flags[name] as boolean | undefined
    if (flag !== undefined) return flag
    const raw = nonEmpty(env[envName(name)])
    if (raw !== undefined) {
      const value = parseGoBool(raw)
      if (value === undefined) throw usageError(`${envName(name)}=${JSON.stringify(raw)} is not a boolean`, 'use true/false, 1/0 or t/f')
      return value
    }
    return fromConfig ?? dflt
  }
  const int = (name: keyof CopyFlags & string, fromConfig: number | undefined): number | undefined => {
    const flag = flags[name] as number | undefined
    if (flag !== undefined) return flag
    const raw = nonEmpty(env[envName(name)])
    if (raw !== undefined) {
      const value = parseGoInt(raw)
      if (value === undefined) throw usageError(`${envName(name)}=${JSON.stringify(raw)} is not an integer`)
      return value
    }
    return fromConfig
  }

  const interval = int('report-interval', c.reportInterval) ?? DEFAULT_INTERVAL_S
  const parallel = int('parallel', c.parallel) ?? 1
  if (parallel < 1 || parallel > 64) throw usageError(`--parallel must be between 1 and 64, got ${parallel}`)
  const retries = int('retries', c.retries)
  if (retries !== undefined && retries < 1) throw usageError(`--retries must be at least 1, got ${retries}`)
  const json = bool('json', undefined, false)
  const settings: RunSettings = {
    src: str('src') ?? '',
    dest: str('dest') ?? '',
    reportAddr: str('report-addr', c.reportAddr),
    // The original crashed on any positive value and meant 5 s for ≤ 0. Node
    // timers fire at once beyond 2^31-1 ms, which would flood the receiver.
    reportIntervalMs: Math.min((interval <= 0 ? DEFAULT_INTERVAL_S : interval) * 1000, MAX_TIMER_MS),
    progress: bool('progress', c.progress, false),
    stderr: bool('stderr', c.stderr, false),
    quiet: bool('quiet', c.quiet, false),
    json,
    dryRun: bool('dry-run', undefined, false),
    progressBar: bool('progress-bar', c.progressBar, true),
  }
  return {
    settings,
    destDir: bool('dest-dir', c.destDir, false),
    retries,
    parallel,
    shard: parseShard(str('shard')),
    verify: bool('verify', c.verify, false),
    rsyncPath: str('rsync-path', cfg.rsync.path) ?? 'rsync',
  }
}

function parseShard(value: string | undefined): {index: number; count: number} | undefined {
  if (value === undefined) return undefined
  const m = /^(\d+)\/(\d+)$/.exec(value.trim())
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (!m || count < 1 || index >= count) {
    throw usageError(`--shard ${JSON.stringify(value)} is not i/N with 0 ≤ i < N`, 'e.g. --shard 0/4 … --shard 3/4; in a Kubernetes Indexed Job use $(JOB_COMPLETION_INDEX)/N')
  }
  return {index, count}
}

/** An environment value, with empty meaning unset (as for the Go tool's flags). */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
