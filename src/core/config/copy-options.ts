/**
 * The one table of `copy` options (spec §1.2). It drives oclif's flag
 * definitions, the Go-style parser of the legacy argv, the TRANSPORTER_<NAME>
 * environment and the `copy:` section of the config schema. Import-free:
 * bin/run.js reads it on every start.
 */
/** `list`: repeatable, every value kept in order */
export type OptionType = 'bool' | 'string' | 'int' | 'list'

export interface CopyOption {
  type: OptionType
  description: string
  /** its key under `copy:` in a config file, when a config may set it */
  config?: string
  /** bounds for an int, checked for the flag, the environment and the config alike */
  min?: number
  max?: number
  helpValue?: string
  /** shown with every command's help instead of copy's own flags */
  global?: boolean
  /** the values a string option accepts */
  choices?: readonly string[]
  /** a one-letter alias (`-v`) */
  char?: string
  /** a filter shorthand: `--exclude=P` is the rsync filter rule `- P` (so one ordered list holds them all) */
  filterRule?: string
}

export const COPY_OPTIONS = {
  src: {type: 'string', description: 'source path, absolute (a trailing slash copies its contents)', helpValue: '<path>'},
  dest: {type: 'string', description: 'destination path, absolute', helpValue: '<path>'},
  'dest-dir': {type: 'bool', description: 'create dest as a directory first (mkdir -p)', config: 'destDir'},
  progress: {type: 'bool', description: 'POST progress reports to --report-addr', config: 'progress'},
  stderr: {type: 'bool', description: "POST rsync's stderr to --report-addr when the run fails", config: 'stderr'},
  'report-addr': {
    type: 'string',
    description: 'http(s) URL the reports are POSTed to (credentials: prefer the environment to argv)',
    config: 'reportAddr',
    helpValue: '<url>',
  },
  'report-interval': {type: 'int', description: 'seconds between progress reports; ≤ 0 means 5', config: 'reportInterval', helpValue: '<seconds>'},
  config: {type: 'string', description: 'load exactly this config file (no search)', helpValue: '<file>'},
  json: {type: 'bool', description: 'Print one JSON object on stdout instead of text (errors too).', global: true},
  'dry-run': {type: 'bool', description: 'rsync -n: check everything, copy nothing, send no reports'},
  retries: {type: 'int', description: 'attempts the retry policy may make (its maxAttempts)', config: 'retries', min: 1, helpValue: '<n>'},
  parallel: {
    type: 'int',
    description: 'split the tree into N balanced parts copied by N rsync processes',
    config: 'parallel',
    min: 1,
    max: 64,
    helpValue: '<n>',
  },
  shard: {
    type: 'string',
    description: 'copy only part i of a deterministic N-way split (i/N, 0-based; auto: from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)',
    helpValue: '<i/N|auto>',
  },
  verify: {type: 'bool', description: 'checksum pass after the copy; exit 5 when anything differs', config: 'verify'},
  quiet: {type: 'bool', description: "no info logs, no progress, no echo of rsync's stderr", config: 'quiet'},
  'log-level': {
    type: 'string',
    description: 'what is logged: error, warn, info (the default) or debug',
    config: 'logLevel',
    choices: ['error', 'warn', 'info', 'debug'],
    helpValue: '<level>',
  },
  verbose: {type: 'bool', description: 'log at debug level (same as --log-level debug)', char: 'v'},
  'progress-bar': {type: 'bool', description: 'live progress bar on a terminal (--no-progress-bar for plain lines)', config: 'progressBar'},
  'rsync-path': {type: 'string', description: 'rsync binary', helpValue: '<path>'},
  exclude: {
    type: 'list',
    description: 'skip files matching the pattern (rsync --exclude); repeatable, kept in order with --include and --filter',
    filterRule: '- ',
    helpValue: '<pattern>',
  },
  include: {type: 'list', description: 'do not skip files matching the pattern (rsync --include); repeatable', filterRule: '+ ', helpValue: '<pattern>'},
  filter: {type: 'list', description: "an rsync filter rule (rsync --filter, e.g. '- *.tmp'); repeatable", filterRule: '', helpValue: '<rule>'},
  bwlimit: {type: 'string', description: 'limit the transfer rate (rsync --bwlimit, e.g. 50m)', helpValue: '<rate>'},
} as const satisfies Record<string, CopyOption>

export type CopyOptionName = keyof typeof COPY_OPTIONS

type ValueOf<T extends OptionType> = T extends 'bool' ? boolean : T extends 'int' ? number : T extends 'list' ? string[] : string

/** What the command line gave; undefined = not given. */
export type CopyFlags = {[K in CopyOptionName]?: ValueOf<(typeof COPY_OPTIONS)[K]['type']> | undefined}

/** The `copy:` section of a config file. */
export type CopyDefaults = {
  [K in CopyOptionName as (typeof COPY_OPTIONS)[K] extends {config: infer C extends string} ? C : never]: ValueOf<(typeof COPY_OPTIONS)[K]['type']>
}

/** `report-addr` → `TRANSPORTER_REPORT_ADDR` */
export function envName(option: string): string {
  return `TRANSPORTER_${option.toUpperCase().replaceAll('-', '_')}`
}

/** `name → type`, what the Go-style parser needs. */
export function optionTypes(): Record<string, OptionType> {
  return Object.fromEntries(Object.entries(COPY_OPTIONS).map(([name, o]) => [name, o.type]))
}

/** `v → verbose`: one-letter aliases, which the Go-style parser accepts as `-v` too. */
export function optionAliases(): Record<string, string> {
  const options = COPY_OPTIONS as Readonly<Record<string, CopyOption>>
  return Object.fromEntries(Object.entries(options).flatMap(([name, o]) => (o.char === undefined ? [] : [[o.char, name]])))
}
