/**
 * Runs the `transporter:register` hook of every installed plugin and creates
 * the components the config selects. A broken plugin only warns, unless the
 * config selects one of its components (then registry.resolve throws, exit 22).
 */
import {SEED_RULES} from '../core/classify/rules.js'
import type {ComponentEntry, TransporterConfig} from '../core/config/load.js'
import {configError, isTransporterError, pluginError} from '../core/codes/errors.js'
import {COMPONENT_KIND, DEFAULT_PLUGIN, type ComponentKind, type KindTypes} from '../core/plugins/kinds.js'
import type {PluginContribution, PluginFailure, Registry, RegisteredFactory} from '../core/plugins/registry.js'
import {buildRegistry, describeSource} from '../core/plugins/registry.js'
import type {CopyComponents} from '../core/run/copy.js'
import type {ClassifyRule, FactoryEnv} from '../plugin-api.js'
import {API_VERSION} from '../plugin-api.js'
import type {PluginHost} from './plugin-host.js'

/** What runCopy takes, and what loading them had to say about broken plugins. */
export interface Components extends CopyComponents {
  warnings: string[]
}

export const HOOK_TIMEOUT_MS = 5000

async function loadRegistry(host: PluginHost): Promise<{registry: Registry; warnings: string[]}> {
  const {successes, failures} = await host.runRegisterHook({apiVersion: API_VERSION}, HOOK_TIMEOUT_MS)
  const contributions: PluginContribution[] = successes
  const failed: PluginFailure[] = failures
  const registry = buildRegistry(contributions, failed)
  return {registry, warnings: [...registry.warnings]}
}

export async function loadComponents(
  host: PluginHost,
  cfg: TransporterConfig,
  env: FactoryEnv,
  overrides: {retries?: number | undefined} = {},
): Promise<Components> {
  const {registry, warnings} = await loadRegistry(host)
  const reporterEntries = cfg.reporters ?? defaults('reporters')
  const retryEntry = cfg.retry ?? defaults('retryPolicies')[0]!
  const mountEntries = cfg.mountChecks ?? defaults('mountChecks')
  // Resolve every id before creating anything: a typo is reported before a factory opens files or sockets.
  const reporters = reporterEntries.map((e) => [e, resolve(registry, cfg, 'reporters', e)] as const)
  const retry = resolve(registry, cfg, 'retryPolicies', retryEntry)
  const mounts = mountEntries.map((e) => [e, resolve(registry, cfg, 'mountChecks', e)] as const)

  const retryOptions = overrides.retries === undefined ? retryEntry.options : {...asObject(retryEntry.options), maxAttempts: overrides.retries}
  const retryPolicy = await create(cfg, retry, {...retryEntry, options: retryOptions}, env)
  const made: Array<{id: string; reporter: KindTypes['reporters']}> = []
  for (const [entry, found] of reporters) made.push({id: found.id, reporter: await create(cfg, found, entry, env)})
  const checks: Array<{id: string; check: KindTypes['mountChecks']}> = []
  for (const [entry, found] of mounts) checks.push({id: found.id, check: await create(cfg, found, entry, env)})
  const classify = await classifyRulesFrom(registry, cfg, env)
  return {reporters: made, retryPolicy, mountChecks: checks, classifyRules: classify.rules, warnings: [...warnings, ...classify.warnings]}
}

export async function loadClassifyRules(host: PluginHost, cfg: TransporterConfig, env: FactoryEnv): Promise<{rules: ClassifyRule[]; warnings: string[]}> {
  const {registry, warnings} = await loadRegistry(host)
  const classify = await classifyRulesFrom(registry, cfg, env)
  return {rules: classify.rules, warnings: [...warnings, ...classify.warnings]}
}

/**
 * Seed table, then every plugin classifier (nobody selects classifiers: all
 * installed ones apply), then the config's rules; later rules win. A classifier
 * that fails is skipped with a warning so `classify` and `copy` keep working.
 */
async function classifyRulesFrom(registry: Registry, cfg: TransporterConfig, env: FactoryEnv) {
  const rules: ClassifyRule[] = [...SEED_RULES]
  const warnings: string[] = []
  const classifiers = registry.list('classifiers')
  // zod only when a plugin's rules need checking: a copy without classifier plugins never loads it
  const {classifyRuleSchema} = classifiers.length === 0 ? {classifyRuleSchema: undefined} : await import('../core/config/schema.js')
  for (const found of classifiers) {
    try {
      const made = (await found.factory.create({}, env)) as unknown
      const list = (made as {rules?: unknown} | null)?.rules
      if (!Array.isArray(list)) throw new Error('create() did not return {rules: [...]}')
      list.forEach((rule, i) => {
        const checked = classifyRuleSchema!.safeParse(rule)
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

/** The built-in entries for a kind the config does not mention, with the path they would have in a file. */
function defaults(kind: 'reporters' | 'retryPolicies' | 'mountChecks'): ComponentEntry[] {
  const {configKey, defaults: ids} = COMPONENT_KIND[kind]
  return ids.map((id, i) => ({id: `${DEFAULT_PLUGIN}/${id}`, options: {}, path: kind === 'retryPolicies' ? configKey : `${configKey}[${i}]`}))
}

function resolve<K extends ComponentKind>(registry: Registry, cfg: TransporterConfig, kind: K, entry: ComponentEntry): RegisteredFactory<K> {
  // Defaults are not in the file: don't blame it for them.
  const fromFile = isFromFile(cfg, kind)
  return registry.resolve(kind, entry.id, {file: fromFile ? cfg.filepath : undefined, path: entry.path})
}

/** Whether the file chose this kind's entries (otherwise they are built-in defaults). */
function isFromFile(cfg: TransporterConfig, kind: ComponentKind): boolean {
  const key = COMPONENT_KIND[kind].configKey
  return key === undefined || cfg[key] !== undefined
}

async function create<K extends 'reporters' | 'retryPolicies' | 'mountChecks'>(
  cfg: TransporterConfig,
  found: RegisteredFactory<K>,
  entry: ComponentEntry,
  env: FactoryEnv,
): Promise<KindTypes[K]> {
  const where = describeSource({file: isFromFile(cfg, found.kind) ? cfg.filepath : undefined, path: entry.path})
  const {noun, method} = COMPONENT_KIND[found.kind]
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
  return made as KindTypes[K]
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  )
}
