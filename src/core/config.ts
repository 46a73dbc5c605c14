import {dirname, resolve} from 'node:path'
import type {ZodIssue} from 'zod'
import type {ClassifyRule} from '../plugin-api.js'
import {configError} from './errors.js'

export interface ComponentEntry {
  id: string
  options: unknown
  /** where the entry sits in the config, e.g. "reporters[1]", for messages */
  path: string
}

export interface CopyDefaults {
  reportAddr: string
  reportInterval: number
  progress: boolean
  stderr: boolean
  destDir: boolean
  retries: number
  parallel: number
  verify: boolean
  quiet: boolean
  progressBar: boolean
}

export interface TransporterConfig {
  /** absolute path of the loaded file, undefined when none */
  filepath: string | undefined
  /** dir of the file, or cwd */
  baseDir: string
  /** undefined = built-in default set */
  reporters?: ComponentEntry[]
  retry?: ComponentEntry
  mountChecks?: ComponentEntry[]
  classify: {rules: ClassifyRule[]}
  rsync: {path?: string; extraArgs: string[]; stderrTailBytes?: number}
  /** config-file defaults for copy flags (lowest precedence above built-ins) */
  copy: Partial<CopyDefaults>
  signals: {graceMs?: number}
  reports: {flushBudgetMs?: number}
}

export const MODULE_NAME = 'transporter'

export const SEARCH_PLACES = [
  'package.json',
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`,
  `.${MODULE_NAME}rc.mjs`,
  `.${MODULE_NAME}rc.cjs`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.cjs`,
]

const HINT = 'see .transporterrc.example for every key and its form'

/**
 * Finds and validates the config: `file` (from --config / TRANSPORTER_CONFIG)
 * loads exactly that file; otherwise cosmiconfig searches from cwd up to the
 * nearest directory holding a package.json.
 */
export async function loadConfig(opts: {cwd: string; file?: string | undefined}): Promise<TransporterConfig> {
  // Lazy: cosmiconfig and zod are only needed by commands that read config.
  const {cosmiconfig, defaultLoaders} = await import('cosmiconfig')
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    cache: false,
    // An explicit --config file with another extension (.transporterrc.example) is YAML, which also reads JSON.
    loaders: {default: defaultLoaders['.yaml']},
  })
  const explicit = opts.file === undefined || opts.file === '' ? undefined : resolve(opts.cwd, opts.file)
  let result: {config: unknown; filepath: string; isEmpty?: boolean} | null
  try {
    result = explicit === undefined ? await explorer.search(opts.cwd) : await explorer.load(explicit)
  } catch (error) {
    throw loadError(error, explicit)
  }
  if (result === null) return fromFile(undefined, opts.cwd, {})
  return fromFile(result.filepath, dirname(result.filepath), result.isEmpty ? {} : result.config)
}

async function fromFile(filepath: string | undefined, baseDir: string, raw: unknown): Promise<TransporterConfig> {
  const {configFileSchema, ALLOWED_KEYS} = await import('./config-schema.js')
  const where = `config ${filepath ?? '(none)'}`
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw configError(`${where}: expected a mapping of keys (reporters, retry, mountChecks, ...), found ${describe(raw)}`, HINT)
  }
  const parsed = configFileSchema.safeParse(raw)
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : ''
    throw configError(`${where}: ${first === undefined ? 'invalid' : formatIssue(first, raw, ALLOWED_KEYS)}${more}`, HINT)
  }
  const file = parsed.data
  const entries = (key: string, list: Array<{id: string; options: unknown}>) =>
    list.map((e, i) => ({...e, path: `${key}[${i}]`}))
  const config: TransporterConfig = {
    filepath,
    baseDir,
    classify: {rules: (file.classify?.rules ?? []) as ClassifyRule[]},
    rsync: stripUndefined(file.rsync ?? {extraArgs: []}),
    copy: stripUndefined(file.copy ?? {}),
    signals: stripUndefined(file.signals ?? {}),
    reports: stripUndefined(file.reports ?? {}),
  }
  if (file.reporters !== undefined) config.reporters = entries('reporters', file.reporters)
  if (file.retry !== undefined) config.retry = {...file.retry, path: 'retry'}
  if (file.mountChecks !== undefined) config.mountChecks = entries('mountChecks', file.mountChecks)
  return config
}

// exactOptionalPropertyTypes: an absent key must not become `key: undefined`.
function stripUndefined<T extends object>(value: T): {[K in keyof T]: Exclude<T[K], undefined>} {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never
}

function loadError(error: unknown, explicit: string | undefined) {
  const e = (error ?? {}) as {code?: string; name?: string; message?: string; reason?: string; filepath?: string; mark?: {line: number; column: number}}
  const file = e.filepath ?? explicit ?? '(unknown)'
  if (e.code === 'ENOENT') return configError(`config ${file}: file not found`, 'check --config / TRANSPORTER_CONFIG')
  if (e.code === 'EISDIR') return configError(`config ${file}: is a directory, expected a config file`, 'check --config / TRANSPORTER_CONFIG')
  if (e.code === 'EACCES') return configError(`config ${file}: permission denied`)
  if (e.name === 'YAMLException') {
    const at = e.mark === undefined ? '' : ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}`
    return configError(`config ${file}: not valid YAML: ${e.reason ?? 'parse error'}${at}`, HINT)
  }
  // cosmiconfig prefixes parse errors with "JSON Error in <file>:\n"; keep the parser's own first line.
  const lines = String(e.message ?? error).split('\n').filter((l) => l.trim() !== '')
  if (e.name === 'JSONError') {
    return configError(`config ${file}: not valid JSON: ${lines[1] ?? lines[0] ?? 'parse error'}`, HINT)
  }
  return configError(`config ${file}: could not be loaded: ${lines[0] ?? 'unknown error'}`, HINT)
}

/** `reporters[1].options`, `classify.rules[0].exitCode` */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = root
  for (const seg of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[seg] : undefined
  return v
}

const EXPECTED_TYPE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
}

function formatIssue(issue: ZodIssue, raw: unknown, ALLOWED_KEYS: Readonly<Record<string, readonly string[]>>): string {
  const found = describe(valueAt(raw, issue.path))
  const at = (path: ReadonlyArray<string | number>) => (path.length === 0 ? '' : `${formatPath(path)}: `)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = ALLOWED_KEYS[issue.path.filter((s) => typeof s === 'string').join('.')] ?? []
      const list = allowed.length > 0 ? `, expected one of ${allowed.join(', ')}` : ''
      return `${at(issue.path)}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${list}`
    }
    case 'invalid_type':
      return `${at(issue.path)}expected ${EXPECTED_TYPE[issue.expected] ?? issue.expected}, found ${found}`
    case 'invalid_enum_value':
      return `${at(issue.path)}expected one of ${issue.options.join(', ')}, found ${found}`
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<'
      const what = issue.type === 'string' ? `a string of length ${op} ${bound}` : issue.type === 'array' ? `a list of length ${op} ${bound}` : `a number ${op} ${bound}`
      return `${at(issue.path)}expected ${what}, found ${found}`
    }
    default:
      return `${at(issue.path)}${issue.message}${/found/.test(issue.message) ? '' : `, found ${found}`}`
  }
}

/** "a number (5)", "a list of 3 items", "nothing" — what the user wrote, in words. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return `a string ("${value.length > 40 ? `${value.slice(0, 40)}…` : value}")`
  if (typeof value === 'number') return `a number (${value})`
  if (typeof value === 'boolean') return `a boolean (${value})`
  if (Array.isArray(value)) return value.length === 1 ? 'a list of 1 item' : `a list of ${value.length} items`
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return 'a mapping of keys'
  return typeof value
}
