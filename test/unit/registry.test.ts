import {describe, expect, it} from 'vitest'
import {isTransporterError} from '../../src/core/codes/errors.js'
import type {IdSource, PluginContribution} from '../../src/core/plugins/registry.js'
import {buildRegistry, shortPluginName, validateAnswer} from '../../src/core/plugins/registry.js'

const factory = (description = 'd') => ({description, create: () => ({onEvent() {}})})
const source: IdSource = {file: '/p/.transporterrc.yaml', path: 'reporters[0]'}

const defaults: PluginContribution = {
  plugin: 'transporter-plugin-defaults',
  result: {
    apiVersion: 1,
    reporters: {http: factory(), console: factory(), ndjson: factory()},
    retryPolicies: {default: factory(), backoff: factory()},
    mountChecks: {statfs: factory(), mountpoint: factory()},
  },
}
const slack: PluginContribution = {plugin: '@acme/transporter-plugin-slack', result: {apiVersion: 1, reporters: {notify: factory(), http: factory()}}}
const teams: PluginContribution = {plugin: 'transporter-plugin-teams', result: {apiVersion: 1, reporters: {notify: factory()}}}

function errorOf(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    if (isTransporterError(error)) return error
    throw error
  }
  throw new Error('expected a TransporterError')
}

describe('shortPluginName', () => {
  it.each([
    ['transporter-plugin-defaults', 'defaults'],
    ['@acme/transporter-plugin-slack', 'slack'],
    ['@acme/metrics', 'metrics'],
    ['my-reporters', 'my-reporters'],
    ['transporter', 'transporter'],
  ])('%s → %s', (name, short) => expect(shortPluginName(name)).toBe(short))
})

describe('buildRegistry: ids', () => {
  const registry = buildRegistry([defaults, slack, teams], [])

  it('uses the bare key when unique and <plugin>/<key> when not', () => {
    expect(registry.list('reporters').map((e) => e.id)).toEqual(['defaults/http', 'console', 'ndjson', 'slack/notify', 'slack/http', 'teams/notify'])
    expect(registry.list('retryPolicies').map((e) => e.id)).toEqual(['default', 'backoff'])
  })

  it('resolves a unique bare id and a qualified id', () => {
    expect(registry.resolve('reporters', 'console', source).plugin).toBe('transporter-plugin-defaults')
    expect(registry.resolve('reporters', 'slack/notify', source).plugin).toBe('@acme/transporter-plugin-slack')
    expect(registry.resolve('reporters', 'defaults/console', source).key).toBe('console')
    // the full package name works as a prefix too
    expect(registry.resolve('reporters', 'transporter-plugin-teams/notify', source).plugin).toBe('transporter-plugin-teams')
  })

  it('an ambiguous bare id is a config error listing the candidates', () => {
    const error = errorOf(() => registry.resolve('reporters', 'notify', source))
    expect(error.kind).toBe('config')
    expect(error.exitCode).toBe(22)
    expect(error.message).toBe('config /p/.transporterrc.yaml: reporters[0]: reporter "notify" is ambiguous; use one of slack/notify, teams/notify')
  })

  it('an unknown id is a config error listing the ids of that kind', () => {
    const error = errorOf(() => registry.resolve('mountChecks', 'zfs', {file: '/p/x.yaml', path: 'mountChecks[2]'}))
    expect(error.kind).toBe('config')
    expect(error.message).toBe('config /p/x.yaml: mountChecks[2]: unknown mount check "zfs"; available: statfs, mountpoint')
    const qualified = errorOf(() => registry.resolve('retryPolicies', 'slack/default', {file: undefined, path: 'retry'}))
    expect(qualified.message).toBe('default config: retry: unknown retry policy "slack/default"; available: default, backoff')
  })
})

describe('buildRegistry: broken plugins', () => {
  const broken = [
    {plugin: 'transporter-plugin-shape', result: {apiVersion: 1, reporters: {bad: {description: 'no create'}}}},
    {plugin: 'transporter-plugin-future', result: {apiVersion: 2, reporters: {futur: factory()}}},
    {plugin: 'transporter-plugin-nothing', result: undefined},
  ]
  const failures = [
    {plugin: 'transporter-plugin-throws', error: new Error('boom\n  at somewhere')},
    {plugin: '@x/transporter-plugin-hangs', error: new Error('Timed out after 5000 ms.')},
  ]
  const registry = buildRegistry([defaults, ...broken], failures)

  it('warns once per broken plugin, naming it and why', () => {
    expect(registry.warnings).toEqual([
      'plugin transporter-plugin-throws is broken and was skipped: its transporter:register hook failed: boom',
      'plugin @x/transporter-plugin-hangs is broken and was skipped: its transporter:register hook did not answer within 5 s',
      'plugin transporter-plugin-shape is broken and was skipped: reporters.bad has no create() function',
      'plugin transporter-plugin-future is broken and was skipped: it speaks plugin API version 2, this transporter speaks 1',
      'plugin transporter-plugin-nothing is broken and was skipped: its transporter:register hook returned nothing, expected an object with apiVersion 1',
    ])
  })

  it('keeps the healthy plugins usable', () => {
    expect(registry.resolve('reporters', 'http', source).plugin).toBe('transporter-plugin-defaults')
    expect(registry.list('reporters').map((e) => e.id)).toEqual(['http', 'console', 'ndjson'])
  })

  it('selecting a component of a broken plugin by prefix is a plugin error (22)', () => {
    const error = errorOf(() => registry.resolve('reporters', 'hangs/x', source))
    expect(error.kind).toBe('plugin')
    expect(error.exitCode).toBe(22)
    expect(error.message).toContain('@x/transporter-plugin-hangs (its transporter:register hook did not answer within 5 s)')
  })

  it('a bare id a broken plugin declared is a plugin error naming that plugin only', () => {
    const error = errorOf(() => registry.resolve('reporters', 'futur', source))
    expect(error.kind).toBe('plugin')
    expect(error.message).toContain('transporter-plugin-future')
    expect(error.message).not.toContain('transporter-plugin-shape')
  })

  it('an unknown bare id names the broken plugins that might have provided it', () => {
    const error = errorOf(() => registry.resolve('reporters', 'slack', source))
    expect(error.kind).toBe('plugin')
    expect(error.message).toContain('transporter-plugin-throws')
    expect(error.message).toContain('@x/transporter-plugin-hangs')
    expect(error.message).toContain('transporter-plugin-nothing')
    expect(error.message).not.toContain('transporter-plugin-future')
  })

  it('with only fully-read broken plugins an unknown id stays a config error, hinting at them', () => {
    const only = buildRegistry([defaults, broken[1]!], [])
    const error = errorOf(() => only.resolve('reporters', 'nope', source))
    expect(error.kind).toBe('config')
    expect(error.hint).toContain('transporter-plugin-future')
  })
})

describe('validateAnswer', () => {
  it.each([
    [null, 'returned null'],
    [[], 'returned a list'],
    ['x', 'returned a string'],
    [{}, 'plugin API version undefined'],
    [{apiVersion: '1'}, 'plugin API version "1"'],
    [{apiVersion: 1, reporters: []}, 'its reporters is not an object of named factories'],
    [{apiVersion: 1, mountChecks: {m: null}}, 'mountChecks.m is not a factory object'],
    [{apiVersion: 1, retryPolicies: {r: {create() {}}}}, 'retryPolicies.r has no description'],
    [{apiVersion: 1, classifiers: {'a/b': factory()}}, 'classifiers key "a/b" is not a valid name'],
  ])('%j', (answer, problem) => expect(validateAnswer(answer)).toContain(problem))

  it('accepts a valid answer and ignores kinds it does not know', () => {
    expect(validateAnswer({apiVersion: 1})).toBeUndefined()
    expect(validateAnswer({apiVersion: 1, reporters: {x: factory()}, somethingNew: {}})).toBeUndefined()
  })
})
