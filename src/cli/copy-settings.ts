import type {TransporterConfig} from '../core/config/load.js'
import {usageError} from '../core/codes/errors.js'
import type {RunSettings} from '../plugin-api.js'
import {COPY_OPTIONS, envName, type CopyFlags, type CopyOption, type CopyOptionName} from '../core/config/copy-options.js'
import {parseGoBool, parseGoInt} from './go-flags.js'
import type {Level} from './logger.js'
import {debugEnabled} from './render.js'

export interface ResolvedCopy {
  settings: RunSettings
  destDir: boolean
  retries: number | undefined
  parallel: number
  shard: Shard | undefined
  verify: boolean
  rsyncPath: string
  logLevel: Level
  /** rsync options from the command line (--filter/--exclude/--include rules in order, --bwlimit) */
  rsyncArgs: string[]
}

const DEFAULT_INTERVAL_S = 5
/** The longest delay a Node timer honours (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** flag > TRANSPORTER_* environment > config file `copy:` > built-in default (spec §1.2). */
export function resolveCopySettings(flags: CopyFlags, env: NodeJS.ProcessEnv, cfg: TransporterConfig): ResolvedCopy {
  const c = cfg.copy
  const str = (name: CopyOptionName, fromConfig?: string): string | undefined => {
    const value = (flags[name] as string | undefined) ?? nonEmpty(env[envName(name)]) ?? fromConfig
    const {choices} = COPY_OPTIONS[name] as CopyOption
    if (value !== undefined && choices !== undefined && !choices.includes(value)) {
      throw usageError(`--${name} ${JSON.stringify(value)} is not one of ${choices.join(', ')}`)
    }
    return value
  }
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
    shard: parseShard(str('shard'), env),
    verify: bool('verify', c.verify, false),
    rsyncPath: str('rsync-path', cfg.rsync.path) ?? 'rsync',
    rsyncArgs: commandLineRsyncArgs(flags, env, str('bwlimit')),
    // -v beats everything; then --log-level; TRANSPORTER_DEBUG=1 means debug; --quiet keeps warnings and errors
    logLevel: bool('verbose', undefined, false)
      ? 'debug'
      : ((str('log-level', c.logLevel) as Level | undefined) ?? (debugEnabled(env) ? 'debug' : settings.quiet ? 'warn' : 'info')),
  }
}

/** The most shards one copy may be split into (spec §9). */
export const MAX_SHARDS = 100_000

export interface Shard {
  index: number
  count: number
}

/**
 * `--shard i/N`, or `--shard auto` taking i and N from the scheduler's
 * environment: a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, with
 * `TRANSPORTER_SHARD_COUNT` set to the Job's `completions`) or a Slurm job
 * array (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of
 * `SLURM_ARRAY_TASK_COUNT`).
 */
export function parseShard(value: string | undefined, env: NodeJS.ProcessEnv = {}): Shard | undefined {
  if (value === undefined) return undefined
  const spec = value.trim()
  if (spec === 'auto') return shardFromEnv(env)
  const m = /^(\d{1,15})\/(\d{1,15})$/.exec(spec)
  const shard = m ? checkShard(Number(m[1]), Number(m[2])) : undefined
  if (!shard) {
    throw usageError(
      `--shard ${JSON.stringify(value)} is not i/N with 0 ≤ i < N ≤ ${MAX_SHARDS}, nor auto`,
      'e.g. --shard 0/4 … --shard 3/4; in a Kubernetes Indexed Job or a Slurm job array use --shard auto',
    )
  }
  return shard
}

function checkShard(index: number, count: number): Shard | undefined {
  return count >= 1 && count <= MAX_SHARDS && index < count ? {index, count} : undefined
}

const K8S_HINT = "in an Indexed Job set TRANSPORTER_SHARD_COUNT to the Job's completions; Kubernetes sets JOB_COMPLETION_INDEX"
const SLURM_HINT = 'submit a contiguous array (sbatch --array=0-(N-1)); Slurm sets SLURM_ARRAY_TASK_ID, _MIN and _COUNT'

function shardFromEnv(env: NodeJS.ProcessEnv): Shard {
  if (nonEmpty(env.JOB_COMPLETION_INDEX) !== undefined) {
    const index = envCount(env, 'JOB_COMPLETION_INDEX', K8S_HINT)
    const count = envCount(env, 'TRANSPORTER_SHARD_COUNT', K8S_HINT)
    return inRange(index, count, `JOB_COMPLETION_INDEX=${index} with TRANSPORTER_SHARD_COUNT=${count}`, K8S_HINT)
  }
  if (nonEmpty(env.SLURM_ARRAY_TASK_ID) !== undefined) {
    const id = envCount(env, 'SLURM_ARRAY_TASK_ID', SLURM_HINT)
    const min = envCount(env, 'SLURM_ARRAY_TASK_MIN', SLURM_HINT)
    const count = envCount(env, 'SLURM_ARRAY_TASK_COUNT', SLURM_HINT)
    const what = `SLURM_ARRAY_TASK_ID=${id} − SLURM_ARRAY_TASK_MIN=${min} of SLURM_ARRAY_TASK_COUNT=${count}`
    return inRange(id - min, count, what, SLURM_HINT)
  }
  throw usageError(
    '--shard auto needs JOB_COMPLETION_INDEX and TRANSPORTER_SHARD_COUNT (Kubernetes) or SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT (Slurm); none is set',
    'run it as a Kubernetes Indexed Job or a Slurm job array, or give --shard i/N',
  )
}

/** A non-negative decimal integer from the environment (bounded, so no float rounding creeps in). */
function envCount(env: NodeJS.ProcessEnv, name: string, hint: string): number {
  const raw = nonEmpty(env[name])?.trim()
  if (raw === undefined) throw usageError(`--shard auto: ${name} is not set`, hint)
  if (!/^\d{1,15}$/.test(raw)) throw usageError(`--shard auto: ${name}=${JSON.stringify(env[name])} is not a non-negative integer`, hint)
  return Number(raw)
}

function inRange(index: number, count: number, what: string, hint: string): Shard {
  const shard = index >= 0 ? checkShard(index, count) : undefined
  if (!shard) throw usageError(`--shard auto: ${what} is not a shard i/N with 0 ≤ i < N ≤ ${MAX_SHARDS}`, hint)
  return shard
}

/**
 * The filter rules, in the order given (bin/run.js turns --exclude/--include
 * into `--filter` rules so the order survives oclif), then --bwlimit. From
 * the environment, one rule or pattern per line: TRANSPORTER_FILTER, then
 * TRANSPORTER_INCLUDE, then TRANSPORTER_EXCLUDE.
 */
function commandLineRsyncArgs(flags: CopyFlags, env: Readonly<Record<string, string | undefined>>, bwlimit: string | undefined): string[] {
  const rules: string[] = []
  for (const name of ['filter', 'include', 'exclude'] as const) {
    const prefix = COPY_OPTIONS[name].filterRule
    for (const value of flags[name] ?? []) rules.push(`${prefix}${value}`)
  }
  if (rules.length === 0) {
    for (const name of ['filter', 'include', 'exclude'] as const) {
      const lines = (nonEmpty(env[envName(name)]) ?? '').split('\n').filter((l) => l !== '')
      for (const line of lines) rules.push(`${COPY_OPTIONS[name].filterRule}${line}`)
    }
  }
  return [...rules.map((r) => `--filter=${r}`), ...(bwlimit === undefined ? [] : [`--bwlimit=${bwlimit}`])]
}

/** A TRANSPORTER_<NAME> bool or int, parsed with the same Go rules as the flags; undefined when unset or empty. */
export function envValue(env: Readonly<Record<string, string | undefined>>, name: CopyOptionName, type: 'bool'): boolean | undefined
export function envValue(env: Readonly<Record<string, string | undefined>>, name: CopyOptionName, type: 'int'): number | undefined
export function envValue(env: Readonly<Record<string, string | undefined>>, name: CopyOptionName, type: 'bool' | 'int'): boolean | number | undefined {
  const raw = nonEmpty(env[envName(name)])
  if (raw === undefined) return undefined
  const value = type === 'bool' ? parseGoBool(raw) : parseGoInt(raw)
  if (value === undefined) {
    throw usageError(
      `${envName(name)}=${JSON.stringify(raw)} is not ${type === 'bool' ? 'a boolean' : 'an integer'}`,
      type === 'bool' ? 'use true/false, 1/0 or t/f' : undefined,
    )
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
