import type {Factory} from '../../plugin-api.js'
import {COMPONENT_KIND, COMPONENT_KINDS, type ComponentKind, type KindTypes} from './kinds.js'
import {API_VERSION} from '../../plugin-api.js'
import {configError, pluginError} from '../codes/errors.js'

/**
 * Components contributed by plugins, indexed by kind and id (spec §7.1).
 * Pure data in, data out: the oclif hook is run by src/cli/load-components.ts.
 */

/** What one plugin's `transporter:register` hook answered. */
export interface PluginContribution {
  /** the plugin's package name */
  plugin: string
  result: unknown
}

/** A hook that threw or timed out. */
export interface PluginFailure {
  plugin: string
  error: unknown
}

export interface RegisteredFactory<K extends ComponentKind = ComponentKind> {
  kind: K
  /** the id to show: the key when unique across plugins, else `<plugin>/<key>` */
  id: string
  /** always `<plugin>/<key>` */
  qualifiedId: string
  /** package name */
  plugin: string
  key: string
  factory: Factory<KindTypes[K]>
}

export interface BrokenPlugin {
  plugin: string
  short: string
  reason: string
  /** component keys the broken answer declared by kind, when they could be read; undefined = unknown */
  declared: Partial<Record<ComponentKind, string[]>> | undefined
}

/** Where an id came from, for messages: `config /x/.transporterrc.yaml: reporters[1]`. */
export interface IdSource {
  file: string | undefined
  path: string
}

export interface Registry {
  readonly broken: readonly BrokenPlugin[]
  /** one warning per broken plugin */
  readonly warnings: readonly string[]
  list<K extends ComponentKind>(kind: K): Array<RegisteredFactory<K>>
  resolve<K extends ComponentKind>(kind: K, id: string, source: IdSource): RegisteredFactory<K>
}

/** `transporter-plugin-defaults` → `defaults`, `@acme/transporter-plugin-slack` → `slack`. */
export function shortPluginName(packageName: string): string {
  const unscoped = packageName.replace(/^@[^/]+\//, '')
  const short = unscoped.replace(/^transporter-plugin-/, '')
  return short === '' ? unscoped : short
}

export function describeSource(source: IdSource): string {
  return source.file === undefined ? `default config: ${source.path}` : `config ${source.file}: ${source.path}`
}

export function buildRegistry(contributions: readonly PluginContribution[], failures: readonly PluginFailure[]): Registry {
  const broken: BrokenPlugin[] = failures.map((f) => ({
    plugin: f.plugin,
    short: shortPluginName(f.plugin),
    reason: failureReason(f.error),
    declared: undefined,
  }))
  const entries: RegisteredFactory[] = []
  for (const c of contributions) {
    const problem = validateAnswer(c.result)
    if (problem !== undefined) {
      broken.push({plugin: c.plugin, short: shortPluginName(c.plugin), reason: problem, declared: declaredKeys(c.result)})
      continue
    }
    const answer = c.result as Record<ComponentKind, Record<string, Factory<never>> | undefined>
    for (const kind of COMPONENT_KINDS) {
      for (const [key, factory] of Object.entries(answer[kind] ?? {})) {
        const qualifiedId = `${shortPluginName(c.plugin)}/${key}`
        entries.push({kind, id: qualifiedId, qualifiedId, plugin: c.plugin, key, factory})
      }
    }
  }
  // Bare ids where unambiguous.
  for (const e of entries) {
    if (entries.filter((o) => o.kind === e.kind && o.key === e.key).length === 1) e.id = e.key
  }
  const warnings = broken.map((b) => `plugin ${b.plugin} is broken and was skipped: ${b.reason}`)

  const list = <K extends ComponentKind>(kind: K) => entries.filter((e): e is RegisteredFactory<K> => e.kind === kind)

  const resolve = <K extends ComponentKind>(kind: K, id: string, source: IdSource): RegisteredFactory<K> => {
    const noun = COMPONENT_KIND[kind].noun
    const where = describeSource(source)
    const available = list(kind).map((e) => e.id)
    const availableText = available.length > 0 ? `available: ${available.join(', ')}` : `no plugin provides any ${noun}`
    const slash = id.indexOf('/')
    if (slash > 0) {
      const prefix = id.slice(0, slash)
      const key = id.slice(slash + 1)
      const match = list(kind).find((e) => e.key === key && (shortPluginName(e.plugin) === prefix || e.plugin === prefix))
      if (match !== undefined) return match
      const b = broken.find((p) => p.short === prefix || p.plugin === prefix)
      if (b !== undefined) throw brokenError(where, noun, id, [b])
      throw configError(`${where}: unknown ${noun} "${id}"; ${availableText}`, 'run `transporter plugins` to see installed plugins')
    }
    const candidates = list(kind).filter((e) => e.key === id)
    if (candidates.length === 1 && candidates[0] !== undefined) return candidates[0]
    if (candidates.length > 1) {
      throw configError(
        `${where}: ${noun} "${id}" is ambiguous; use one of ${candidates.map((c) => c.qualifiedId).join(', ')}`,
        'several plugins provide this name: prefix it with the plugin',
      )
    }
    const suspects = broken.filter((b) => b.declared === undefined || (b.declared[kind] ?? ([] as string[])).includes(id))
    if (suspects.length > 0) throw brokenError(where, noun, id, suspects)
    const hint = broken.length > 0 ? `broken plugins were skipped: ${broken.map((b) => b.plugin).join(', ')}` : undefined
    throw configError(`${where}: unknown ${noun} "${id}"; ${availableText}`, hint ?? 'run `transporter plugins` to see installed plugins')
  }

  return {broken, warnings, list, resolve}
}

function brokenError(where: string, noun: string, id: string, suspects: readonly BrokenPlugin[]) {
  const names = suspects.map((b) => `${b.plugin} (${b.reason})`).join('; ')
  const one = suspects.length === 1
  return pluginError(
    `${where}: ${noun} "${id}" is not available: ${one ? 'plugin' : 'plugins'} ${names} ${one ? 'is' : 'are'} broken`,
    'reinstall or fix the plugin (`transporter plugins`), or select another component',
  )
}

function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  // oclif's own timeout message for runHook(…, timeout)
  const timeout = /^Timed out after (\d+) ms/.exec(message)
  if (timeout) return `its transporter:register hook did not answer within ${Number(timeout[1]) / 1000} s`
  return `its transporter:register hook failed: ${firstLine(message)}`
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  )
}

/** Why an answer is unusable, or undefined when it is a valid TransporterPlugin. */
export function validateAnswer(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return `its transporter:register hook returned ${result === undefined ? 'nothing' : Array.isArray(result) ? 'a list' : typeof result === 'object' ? 'null' : `a ${typeof result}`}, expected an object with apiVersion ${API_VERSION}`
  }
  const answer = result as Record<string, unknown>
  if (answer.apiVersion !== API_VERSION) {
    return `it speaks plugin API version ${JSON.stringify(answer.apiVersion) ?? 'undefined'}, this transporter speaks ${API_VERSION}`
  }
  for (const kind of COMPONENT_KINDS) {
    const group = answer[kind]
    if (group === undefined) continue
    if (typeof group !== 'object' || group === null || Array.isArray(group)) return `its ${kind} is not an object of named factories`
    for (const [key, factory] of Object.entries(group)) {
      if (typeof factory !== 'object' || factory === null) return `${kind}.${key} is not a factory object`
      const f = factory as Record<string, unknown>
      if (typeof f.create !== 'function') return `${kind}.${key} has no create() function`
      if (typeof f.description !== 'string') return `${kind}.${key} has no description`
      if (key.includes('/') || key.trim() === '') return `${kind} key "${key}" is not a valid name`
    }
  }
  return undefined
}

function declaredKeys(result: unknown): BrokenPlugin['declared'] {
  if (typeof result !== 'object' || result === null) return undefined
  const out: Partial<Record<ComponentKind, string[]>> = {}
  for (const kind of COMPONENT_KINDS) {
    const group = (result as Record<string, unknown>)[kind]
    if (typeof group === 'object' && group !== null) out[kind] = Object.keys(group)
  }
  return out
}
