import {describe, expect, it} from 'vitest'
import {loadClassifyRules, loadComponents} from '../../src/cli/load-components.js'
import type {PluginHost} from '../../src/cli/plugin-host.js'
import {SEED_RULES} from '../../src/core/classify/rules.js'
import type {TransporterConfig} from '../../src/core/config/load.js'
import {isTransporterError} from '../../src/core/codes/errors.js'
import type {ClassifyRule} from '../../src/plugin-api.js'
import {testFactoryEnv} from '../../src/testing/env.js'

// The hook's answers stand in for installed plugins; the real hook run is covered
// end to end in test/e2e/plugins-*.test.ts.
interface Answer {
  plugin: string
  result?: unknown
  error?: Error
}

function hostWith(answers: Answer[], calls: unknown[][] = []): PluginHost {
  return {
    version: '0.0.0-test',
    source: 'the test',
    async runRegisterHook(...args: unknown[]) {
      calls.push(args)
      return {
        successes: answers.filter((a) => a.error === undefined).map((a) => ({plugin: a.plugin, result: a.result})),
        failures: answers.filter((a) => a.error !== undefined).map((a) => ({plugin: a.plugin, error: a.error})),
      }
    },
  }
}

const created: Array<{id: string; options: unknown}> = []
const factory = (id: string, make: () => unknown) => ({
  description: id,
  create(options: unknown) {
    created.push({id, options})
    return make() as never
  },
})
const reporter = () => ({onEvent() {}})
const policy = () => ({decide: () => ({retry: false as const})})
const check = () => ({check: async () => ({ok: true as const})})

const rule: ClassifyRule = {id: 'plugin-rule', codes: [42], class: 'fatal', exitCode: 30}
const configRule: ClassifyRule = {id: 'config-rule', codes: [42], class: 'retryable', exitCode: 5}

const defaults: Answer = {
  plugin: 'transporter-plugin-defaults',
  result: {
    apiVersion: 1,
    reporters: {console: factory('console', reporter), http: factory('http', reporter), ndjson: factory('ndjson', reporter)},
    retryPolicies: {default: factory('default', policy), backoff: factory('backoff', policy)},
    mountChecks: {statfs: factory('statfs', check)},
  },
}
const extra: Answer = {
  plugin: '@acme/transporter-plugin-extra',
  result: {
    apiVersion: 1,
    reporters: {http: factory('extra-http', reporter), bad: factory('bad', () => ({}))},
    classifiers: {rules: factory('rules', () => ({rules: [rule]})), broken: factory('broken', () => ({rules: [{id: 'x'}]}))},
  },
}

function config(over: Partial<TransporterConfig> = {}): TransporterConfig {
  return {
    filepath: '/p/.transporterrc.yaml',
    baseDir: '/p',
    trusted: true,
    classify: {rules: []},
    rsync: {extraArgs: []},
    copy: {},
    signals: {},
    reports: {},
    ...over,
  }
}

async function errorOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isTransporterError(error)) throw new Error(`expected a TransporterError, got ${String(error)}`)
  return error
}

describe('loadComponents', () => {
  it('runs the register hook with apiVersion 1 and a 5 s timeout', async () => {
    const calls: unknown[][] = []
    await loadComponents(hostWith([defaults], calls), config(), testFactoryEnv())
    expect(calls).toEqual([[{apiVersion: 1}, 5000]])
  })

  it('creates the default set when the config says nothing, even when another plugin also has an http reporter', async () => {
    created.length = 0
    const c = await loadComponents(hostWith([defaults, extra]), config(), testFactoryEnv())
    expect(c.reporters.map((r) => r.id)).toEqual(['console', 'defaults/http'])
    expect(c.mountChecks.map((m) => m.id)).toEqual(['statfs'])
    expect(created.map((x) => x.id)).toEqual(['default', 'console', 'http', 'statfs', 'rules', 'broken'])
    expect(typeof c.retryPolicy.decide).toBe('function')
  })

  it('creates what the config selects, with its options, and --retries overrides maxAttempts', async () => {
    created.length = 0
    const cfg = config({
      reporters: [{id: 'ndjson', options: {file: 'x'}, path: 'reporters[0]'}],
      retry: {id: 'backoff', options: {maxAttempts: 9, initialDelayMs: 5}, path: 'retry'},
      mountChecks: [],
    })
    const c = await loadComponents(hostWith([defaults]), cfg, testFactoryEnv(), {retries: 2})
    expect(created).toEqual([
      {id: 'backoff', options: {maxAttempts: 2, initialDelayMs: 5}},
      {id: 'ndjson', options: {file: 'x'}},
    ])
    expect(c.reporters.map((r) => r.id)).toEqual(['ndjson'])
    expect(c.mountChecks).toEqual([])
  })

  it('a factory that throws is a config error naming the file, the entry, the id and the message', async () => {
    const throwing: Answer = {
      plugin: 'transporter-plugin-t',
      result: {
        apiVersion: 1,
        reporters: {
          t: factory('t', () => {
            throw new Error('option "x" is required')
          }),
        },
      },
    }
    const cfg = config({
      reporters: [
        {id: 'console', options: {}, path: 'reporters[0]'},
        {id: 't', options: {}, path: 'reporters[1]'},
      ],
    })
    const error = await errorOf(loadComponents(hostWith([defaults, throwing]), cfg, testFactoryEnv()))
    expect(error.kind).toBe('config')
    expect(error.exitCode).toBe(22)
    expect(error.message).toBe('config /p/.transporterrc.yaml: reporters[1]: reporter "t": option "x" is required')
  })

  it('a factory returning the wrong shape is a plugin error naming the plugin', async () => {
    const cfg = config({reporters: [{id: 'bad', options: {}, path: 'reporters[0]'}]})
    const error = await errorOf(loadComponents(hostWith([defaults, extra]), cfg, testFactoryEnv()))
    expect(error.kind).toBe('plugin')
    expect(error.exitCode).toBe(22)
    expect(error.message).toContain('reporter "bad" from plugin @acme/transporter-plugin-extra is broken: create() returned no onEvent() function')
  })

  it('an unknown id fails before any factory runs', async () => {
    created.length = 0
    const cfg = config({reporters: [{id: 'console', options: {}, path: 'reporters[0]'}], mountChecks: [{id: 'zfs', options: {}, path: 'mountChecks[0]'}]})
    const error = await errorOf(loadComponents(hostWith([defaults]), cfg, testFactoryEnv()))
    expect(error.message).toBe('config /p/.transporterrc.yaml: mountChecks[0]: unknown mount check "zfs"; available: statfs')
    expect(created).toEqual([])
  })

  it('hook failures become warnings naming the plugin, and the run goes on', async () => {
    const c = await loadComponents(
      hostWith([defaults, {plugin: 'transporter-plugin-x', error: new Error('Timed out after 5000 ms.')}]),
      config(),
      testFactoryEnv(),
    )
    expect(c.warnings).toContain('plugin transporter-plugin-x is broken and was skipped: its transporter:register hook did not answer within 5 s')
  })
})

describe('loadClassifyRules', () => {
  it('is the seed table, then plugin rules, then config rules; an invalid classifier is skipped with a warning', async () => {
    const {rules, warnings} = await loadClassifyRules(hostWith([defaults, extra]), config({classify: {rules: [configRule]}}), testFactoryEnv())
    expect(rules).toEqual([...SEED_RULES, rule, configRule])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^plugin @acme\/transporter-plugin-extra: classifier "broken" was skipped: rules\[0\]\.class: Required$/)
  })
})
