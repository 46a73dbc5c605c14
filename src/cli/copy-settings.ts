import type {TransporterConfig} from '../core/config/load.js'
import {usageError} from '../core/codes/errors.js'
import type {RunSettings} from '../plugin-api.js'
import {COPY_OPTIONS, envName, type CopyFlags, type CopyOption, type CopyOptionName} from '../core/config/copy-options.js'
import {parseGoBool, parseGoInt} from './go-flags.js'

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
  const str = (name: CopyOptionName, fromConfig?: string): string | undefined =>
    (flags[name] as string | undefined) ?? nonEmpty(env[envName(name)]) ?? fromConfig
  const bool = (name: CopyOptionName, fromConfig: boolean | undefined, dflt: boolean): boolean =>
    (flags[name] as boolean | undefined) ?? envValue(env, name, 'bool') ?? fromConfig ?? dflt
  const int = (name: CopyOptionName, fromConfig: number | undefined): number | undefined => {
    const value = (flags[name] as number | undefined) ?? envValue(env, name, 'int') ?? fromConfig
    if (value !== undefined) checkBounds(name, value)
    return value
  }

  const interval = int('report-interval', c.reportInterval) ?? DEFAULT_INTERVAL_S
  const parallel = int('parallel', c.parallel) ?? 1
  const retries = int('retries', c.retries)
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

/** A TRANSPORTER_<NAME> bool or int, parsed with the same Go rules as the flags; undefined when unset or empty. */
export function envValue(env: Readonly<Record<string, string | undefined>>, name: CopyOptionName, type: 'bool'): boolean | undefined
export function envValue(env: Readonly<Record<string, string | undefined>>, name: CopyOptionName, type: 'int'): number | undefined
export function envValue(env: Readonly<Record<string, string | undefined>>, name: CopyOptionName, type: 'bool' | 'int'): boolean | number | undefined {
  const raw = nonEmpty(env[envName(name)])
  if (raw === undefined) return undefined
  const value = type === 'bool' ? parseGoBool(raw) : parseGoInt(raw)
  if (value === undefined) {
    throw usageError(`${envName(name)}=${JSON.stringify(raw)} is not ${type === 'bool' ? 'a boolean' : 'an integer'}`, type === 'bool' ? 'use true/false, 1/0 or t/f' : undefined)
  }
  return value
}

function checkBounds(name: CopyOptionName, value: number): void {
  const {min, max} = COPY_OPTIONS[name] as CopyOption
  if (min !== undefined && max !== undefined && (value < min || value > max)) throw usageError(`--${name} must be between ${min} and ${max}, got ${value}`)
  if (min !== undefined && value < min) throw usageError(`--${name} must be at least ${min}, got ${value}`)
  if (max !== undefined && value > max) throw usageError(`--${name} must be at most ${max}, got ${value}`)
}

/** An environment value, with empty meaning unset (as for the Go tool's flags). */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
