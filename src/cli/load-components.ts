/**
 * Runs the `transporter:register` hook of every installed plugin and creates
 * the components the config selects. A broken plugin only warns, unless the
 * config selects one of its components (then registry.resolve throws, exit 22).
 */
import type {Config} from '@oclif/core'
import {SEED_RULES} from '../core/classify/rules.js'
import type {ComponentEntry, TransporterConfig} from '../core/config/load.js'
import {configError, isTransporterError, pluginError} from '../core/codes/errors.js'
import type {ComponentKind, PluginContribution, PluginFailure, Registry, RegisteredFactory} from '../core/plugins/registry.js'
import {buildRegistry, describeSource, KIND_NOUN} from '../core/plugins/registry.js'
import type {ClassifyRule, FactoryEnv, MountCheck, Reporter, RetryPolicy} from '../plugin-api.js'
import {API_VERSION} from '../plugin-api.js'

export interface Components {
  reporters: Array<{id: string; reporter: Reporter}>
  retryPolicy: RetryPolicy
  mountChecks: Array<{id: string; check: MountCheck}>
  classifyRules: ClassifyRule[]
  warnings: string[]
}

export const HOOK_EVENT = 'transporter:register'
export const HOOK_TIMEOUT_MS = 5000

/**
 * Used when the config does not say. They name the default plugin's components
 * explicitly so another plugin providing `http` cannot make the defaults ambiguous.
 */
const DEFAULT_PLUGIN = 'defaults'
const DEFAULT_REPORTERS = ['console', 'http']
const DEFAULT_RETRY = 'default'
const DEFAULT_MOUNT_CHECKS = ['statfs']

export async function loadRegistry(oclifConfig: Config): Promise<{registry: Registry; warnings: string[]}> {
  // oclif warns that a linked ESM plugin "cannot be auto-transpiled"; transporter
  // never transpiles plugins (they ship JavaScript), so the warning is only noise.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
  const {successes, failures} = await oclifConfig.runHook(HOOK_EVENT, {apiVersion: API_VERSION}, HOOK_TIMEOUT_MS, true)
  const contributions: PluginContribution[] = successes.map((s) => ({plugin: s.plugin.name, result: s.result}))
  const failed: PluginFailure[] = failures.map((f) => ({plugin: f.plugin.name, error: f.error}))
  const registry = buildRegistry(contributions, failed)
  return {registry, warnings: [...registry.warnings]}
}

export async function loadComponents(
  oclifConfig: Config,
  cfg: TransporterConfig,
  env: FactoryEnv,
  overrides: {retries?: number | undefined} = {},
): Promise<Components> {
  const {registry, warnings} = await loadRegistry(oclifConfig)
  const reporterEntries = cfg.reporters ?? defaults('reporters', DEFAULT_REPORTERS)
  const retryEntry = cfg.retry ?? defaults('retry', [DEFAULT_RETRY])[0]!
  const mountEntries = cfg.mountChecks ?? defaults('mountChecks', DEFAULT_MOUNT_CHECKS)
  // Resolve every id before creating anything: a typo is reported before a factory opens files or sockets.
  const reporters = reporterEntries.map((e) => [e, resolve(registry, cfg, 'reporters', e)] as const)
  const retry = resolve(registry, cfg, 'retryPolicies', retryEntry)
  const mounts = mountEntries.map((e) => [e, resolve(registry, cfg, 'mountChecks', e)] as const)

  const retryOptions = overrides.retries === undefined ? retryEntry.options : {...asObject(retryEntry.options), maxAttempts: overrides.retries}
  const components: Components = {
    reporters: [],
    retryPolicy: await create(cfg, retry, {...retryEntry, options: retryOptions}, env, 'decide'),
    mountChecks: [],
    classifyRules: [],
    warnings,
  }
  for (const [entry, found] of reporters) {
    components.reporters.push({id: found.id, reporter: await create(cfg, found, entry, env, 'onEvent')})
  }
  for (const [entry, found] of mounts) {
    components.mountChecks.push({id: found.id, check: await create(cfg, found, entry, env, 'check')})
  }
  const classify = await classifyRulesFrom(registry, cfg, env)
  components.classifyRules = classify.rules
  warnings.push(...classify.warnings)
  return components
}

export async function loadClassifyRules(
  oclifConfig: Config,
  cfg: TransporterConfig,
  env: FactoryEnv,
): Promise<{rules: ClassifyRule[]; warnings: string[]}> {
  const {registry, warnings} = await loadRegistry(oclifConfig)
  const classify = await classifyRulesFrom(registry, cfg, env)
  return {rules: classify.rules, warnings: [...warnings, ...classify.warnings]}
}

/**
 * Seed table, then every plugin classifier (nobody selects classifiers: all
 * installed ones apply), then the config's rules; later rules win. A classifier
 * that fails is skipped with a warning so `classify` and `copy` keep working.
 */
async function classifyRulesFrom(registry: Registry, cfg: TransporterConfig, env: FactoryEnv) {
  const {classifyRuleSchema} = await import('../core/config/schema.js')
  const rules: ClassifyRule[] = [...SEED_RULES]
  const warnings: string[] = []
  for (const found of registry.list('classifiers')) {
    try {
      const made = (await found.factory.create({}, env)) as unknown
      const list = (made as {rules?: unknown} | null)?.rules
      if (!Array.isArray(list)) throw new Error('create() did not return {rules: [...]}')
      list.forEach((rule, i) => {
        const checked = classifyRuleSchema.safeParse(rule)
        const issue = checked.success ? undefined : checked.error.issues[0]
        if (issue !== undefined) throw new Error(`${[`rules[${i}]`, ...issue.path].join('.')}: ${issue.message}`)
      })
      rules.push(...(list as ClassifyRule[]))
    } catch (error) {
      warnings.push(`plugin ${found.plugin}: classifier "${found.id}" was skipped: ${messageOf(error)}`)
    }
  }
  rules.push(...cfg.classify.rules)
  return {rules, warnings}
}

function defaults(path: string, ids: readonly string[]): ComponentEntry[] {
  return ids.map((id, i) => ({id: `${DEFAULT_PLUGIN}/${id}`, options: {}, path: path === 'retry' ? path : `${path}[${i}]`}))
}

function resolve<K extends ComponentKind>(registry: Registry, cfg: TransporterConfig, kind: K, entry: ComponentEntry): RegisteredFactory<K> {
  // Defaults are not in the file: don't blame it for them.
  const fromFile = isFromFile(cfg, kind)
  return registry.resolve(kind, entry.id, {file: fromFile ? cfg.filepath : undefined, path: entry.path})
}

function isFromFile(cfg: TransporterConfig, kind: ComponentKind): boolean {
  if (kind === 'reporters') return cfg.reporters !== undefined
  if (kind === 'retryPolicies') return cfg.retry !== undefined
  if (kind === 'mountChecks') return cfg.mountChecks !== undefined
  return true
}

async function create<K extends ComponentKind, T>(
  cfg: TransporterConfig,
  found: RegisteredFactory<K>,
  entry: ComponentEntry,
  env: FactoryEnv,
  method: string,
): Promise<T> {
  const where = describeSource({file: isFromFile(cfg, found.kind) ? cfg.filepath : undefined, path: entry.path})
  const noun = KIND_NOUN[found.kind]
  let made: unknown
  try {
    made = await found.factory.create(entry.options, env)
  } catch (error) {
    if (isTransporterError(error)) throw error
    throw configError(`${where}: ${noun} "${found.id}": ${messageOf(error)}`, `check the options of "${found.id}"`)
  }
  if (typeof made !== 'object' || made === null || typeof (made as Record<string, unknown>)[method] !== 'function') {
    throw pluginError(
      `${where}: ${noun} "${found.id}" from plugin ${found.plugin} is broken: create() returned no ${method}() function`,
      'reinstall or fix the plugin, or select another component',
    )
  }
  return made as T
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error'
}
