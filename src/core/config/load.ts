import {readFileSync, statSync} from 'node:fs'
import {basename, dirname, extname, resolve} from 'node:path'
import type {ZodIssue} from 'zod'
import type {ClassifyRule} from '../../plugin-api.js'
import type {CopyDefaults} from './copy-options.js'
import {findConfigFile, MODULE_NAME} from './places.js'
import {configTrustProblem, effectiveUid} from './trust.js'
import {configError} from '../codes/errors.js'
import {pathValuedOption, validateExtraArgs} from '../rsync/args.js'
import {importModule} from '../import-module.js'

export interface ComponentEntry {
  id: string
  options: unknown
  /** where the entry sits in the config, e.g. "reporters[1]", for messages */
  path: string
}

export interface TransporterConfig {
  /** absolute path of the loaded file, undefined when none */
  filepath: string | undefined
  /** dir of the file, or cwd */
  baseDir: string
  /** false when the file failed the ownership check and TRANSPORTER_INSECURE_CONFIG let it in */
  trusted: boolean
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

const HINT = 'see .transporterrc.example for every key and its form'
const TRUST_HINT =
  "a config runs as transporter's user (often root): make it and its directory writable only by their owner, owned by you or root (chmod go-w, chown); TRANSPORTER_INSECURE_CONFIG=1 skips this check"

export interface LoadConfigOptions {
  cwd: string
  /** --config / TRANSPORTER_CONFIG: exactly this file, nothing else */
  file?: string | undefined
  /** the environment (XDG_CONFIG_HOME, HOME, TRANSPORTER_INSECURE_CONFIG); process.env by default */
  env?: Readonly<Record<string, string | undefined>> | undefined
  /** /etc/transporter unless a test says otherwise */
  systemDir?: string | undefined
}

/**
 * Finds, checks and validates the config (spec §7): `file` loads exactly that
 * file; otherwise the first of the cwd's `.transporterrc*`, the user's and
 * the system's config directory. No parent directory and no cosmiconfig
 * "meta config" is ever read: cosmiconfig is used for its loaders only.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<TransporterConfig> {
  const env = opts.env ?? process.env
  const explicit = opts.file === undefined || opts.file === '' ? undefined : resolve(opts.cwd, opts.file)
  const filepath = explicit ?? findConfigFile({cwd: opts.cwd, env, systemDir: opts.systemDir})
  if (filepath === undefined) return noConfig(opts.cwd)
  const problem = trustProblemOf(filepath)
  if (problem !== undefined && env.TRANSPORTER_INSECURE_CONFIG !== '1') {
    throw configError(`config ${filepath}: refused: ${problem}`, TRUST_HINT)
  }
  let raw: unknown
  try {
    raw = await readConfigFile(filepath)
  } catch (error) {
    throw loadError(error, filepath)
  }
  return fromFile(filepath, dirname(filepath), raw, problem === undefined)
}

/** Before anything is read or executed; a missing or unreadable file is left to the loader's error. */
function trustProblemOf(filepath: string): string | undefined {
  try {
    statSync(filepath)
  } catch {
    return undefined
  }
  return configTrustProblem(filepath, effectiveUid())
}

/** The file's content through cosmiconfig's loader for its extension (YAML for any other name). */
async function readConfigFile(filepath: string): Promise<unknown> {
  const content = readFileSync(filepath, 'utf8')
  const name = basename(filepath)
  if (name === 'package.json') {
    const json = JSON.parse(content) as Record<string, unknown>
    if (!(MODULE_NAME in json)) throw Object.assign(new Error(`has no "${MODULE_NAME}" key`), {code: 'ENOKEY'})
    return json[MODULE_NAME] ?? {}
  }
  const {defaultLoaders} = (await importModule('cosmiconfig')) as typeof import('cosmiconfig')
  const ext = extname(name)
  const loader = ext in defaultLoaders ? defaultLoaders[ext as keyof typeof defaultLoaders] : defaultLoaders['.yaml']
  const isCode = ['.js', '.mjs', '.cjs', '.ts'].includes(ext)
  if (!isCode && content.trim() === '') return {}
  const value: unknown = await loader(filepath, content)
  // a YAML file holding only comments, or a JS module exporting nothing
  return value ?? {}
}

/** What an empty file would give, without loading the schema (zod is most of a config-less copy's start-up). */
function noConfig(cwd: string): TransporterConfig {
  return {filepath: undefined, baseDir: cwd, trusted: true, classify: {rules: []}, rsync: {extraArgs: []}, copy: {}, signals: {}, reports: {}}
}

async function fromFile(filepath: string, baseDir: string, raw: unknown, trusted: boolean): Promise<TransporterConfig> {
  const {configFileSchema, ALLOWED_KEYS} = await import('./schema.js')
  const where = `config ${filepath}`
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
  checkRsyncSection(where, file.rsync, trusted)
  const entries = (key: string, list: Array<{id: string; options: unknown}>) => list.map((e, i) => ({...e, path: `${key}[${i}]`}))
  const config: TransporterConfig = {
    filepath,
    baseDir,
    trusted,
    classify: {rules: (file.classify?.rules ?? []) as ClassifyRule[]},
    rsync: stripUndefined(file.rsync ?? {extraArgs: []}),
    copy: stripUndefined(file.copy ?? {}) as Partial<CopyDefaults>,
    signals: stripUndefined(file.signals ?? {}),
    reports: stripUndefined(file.reports ?? {}),
  }
  if (file.reporters !== undefined) config.reporters = entries('reporters', file.reporters)
  if (file.retry !== undefined) config.retry = {...file.retry, path: 'retry'}
  if (file.mountChecks !== undefined) config.mountChecks = entries('mountChecks', file.mountChecks)
  return config
}

/**
 * rsync.extraArgs are checked here, before any component exists. Options that
 * make rsync read or write a path of the config's choosing, and rsync.path
 * itself, come only from a file that passed the trust check (not one let in
 * by TRANSPORTER_INSECURE_CONFIG).
 */
function checkRsyncSection(where: string, rsync: {path?: string | undefined; extraArgs: string[]} | undefined, trusted: boolean): void {
  if (rsync === undefined) return
  validateExtraArgs(rsync.extraArgs, `${where}: rsync.extraArgs`)
  if (trusted) return
  const untrusted = 'the file did not pass the ownership and permission check (TRANSPORTER_INSECURE_CONFIG=1 let it in)'
  if (rsync.path !== undefined) throw configError(`${where}: rsync.path is only accepted from a trusted config: ${untrusted}`, TRUST_HINT)
  rsync.extraArgs.forEach((arg, i) => {
    if (pathValuedOption(arg)) {
      throw configError(
        `${where}: rsync.extraArgs[${i}]: ${JSON.stringify(arg)} names a path and is only accepted from a trusted config: ${untrusted}`,
        TRUST_HINT,
      )
    }
  })
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
  if (e.code === 'ENOKEY') return configError(`config ${file}: ${e.message ?? 'no config key'}`, HINT)
  if (e.name === 'SyntaxError' && basename(file) === 'package.json') return configError(`config ${file}: not valid JSON: ${e.message ?? 'parse error'}`, HINT)
  if (e.name === 'YAMLException') {
    const at = e.mark === undefined ? '' : ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}`
    return configError(`config ${file}: not valid YAML: ${e.reason ?? 'parse error'}${at}`, HINT)
  }
  // cosmiconfig prefixes parse errors with "JSON Error in <file>:\n"; keep the parser's own first line.
  const lines = String(e.message ?? error)
    .split('\n')
    .filter((l) => l.trim() !== '')
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
      const what =
        issue.type === 'string' ? `a string of length ${op} ${bound}` : issue.type === 'array' ? `a list of length ${op} ${bound}` : `a number ${op} ${bound}`
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
