import type {ClassifierRules, MountCheck, Reporter, RetryPolicy} from '../../plugin-api.js'

/**
 * The one table of component kinds (spec §7.1): how each is named in
 * messages, which config key selects it, what the built-in defaults are and
 * which method an object of that kind must have.
 */
export const COMPONENT_KIND = {
  reporters: {noun: 'reporter', configKey: 'reporters', defaults: ['console', 'http'], method: 'onEvent'},
  retryPolicies: {noun: 'retry policy', configKey: 'retry', defaults: ['default'], method: 'decide'},
  mountChecks: {noun: 'mount check', configKey: 'mountChecks', defaults: ['statfs'], method: 'check'},
  // nobody selects classifiers: every installed one applies
  classifiers: {noun: 'classifier', configKey: undefined, defaults: [], method: undefined},
} as const

export type ComponentKind = keyof typeof COMPONENT_KIND

export const COMPONENT_KINDS = Object.keys(COMPONENT_KIND) as ComponentKind[]

/** What a factory of each kind creates. */
export interface KindTypes {
  reporters: Reporter
  retryPolicies: RetryPolicy
  mountChecks: MountCheck
  classifiers: ClassifierRules
}

/** The plugin the built-in defaults come from, named so another plugin's `http` cannot make them ambiguous. */
export const DEFAULT_PLUGIN = 'defaults'
