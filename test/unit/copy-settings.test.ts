/** Settings precedence (spec §1.2) and the one env parser, in process. */
import {describe, expect, test} from 'vitest'
import {envValue, parseShard, resolveCopySettings} from '../../src/cli/copy-settings.js'
import {jsonRequested} from '../../src/cli/json-mode.js'
import type {TransporterConfig} from '../../src/core/config/load.js'
import type {CopyDefaults, CopyFlags} from '../../src/core/config/copy-options.js'
import {thrown} from '../helpers/thrown.js'

function config(copy: Partial<CopyDefaults> = {}, rsyncPath?: string): TransporterConfig {
  return {
    filepath: undefined,
    baseDir: '/',
    trusted: true,
    classify: {rules: []},
    rsync: {extraArgs: [], ...(rsyncPath === undefined ? {} : {path: rsyncPath})},
    copy,
    signals: {},
    reports: {},
  }
}

const resolve = (flags: CopyFlags = {}, env: NodeJS.ProcessEnv = {}, cfg = config()) => resolveCopySettings(flags, env, cfg)

describe('resolveCopySettings: flag > TRANSPORTER_* > config > default', () => {
  test('built-in defaults', () => {
    const r = resolve()
    expect(r.settings).toEqual({
      src: '',
      dest: '',
      reportAddr: undefined,
      reportIntervalMs: 5000,
      progress: false,
      stderr: false,
      quiet: false,
      json: false,
      dryRun: false,
      progressBar: true,
    })
    expect({destDir: r.destDir, retries: r.retries, parallel: r.parallel, shard: r.shard, verify: r.verify, rsyncPath: r.rsyncPath}).toEqual({
      destDir: false,
      retries: undefined,
      parallel: 1,
      shard: undefined,
      verify: false,
      rsyncPath: 'rsync',
    })
  })

  test.each<[string, CopyFlags, NodeJS.ProcessEnv, Partial<CopyDefaults>, string | undefined]>([
    ['flag wins', {'report-addr': 'http://flag/'}, {TRANSPORTER_REPORT_ADDR: 'http://env/'}, {reportAddr: 'http://cfg/'}, 'http://flag/'],
    ['env over config', {}, {TRANSPORTER_REPORT_ADDR: 'http://env/'}, {reportAddr: 'http://cfg/'}, 'http://env/'],
    ['an empty env value is unset', {}, {TRANSPORTER_REPORT_ADDR: ''}, {reportAddr: 'http://cfg/'}, 'http://cfg/'],
    ['config over default', {}, {}, {reportAddr: 'http://cfg/'}, 'http://cfg/'],
    ['default', {}, {}, {}, undefined],
  ])('report-addr: %s', (_, flags, env, copy, expected) => {
    expect(resolve(flags, env, config(copy)).settings.reportAddr).toBe(expected)
  })

  test.each<[string, CopyFlags, NodeJS.ProcessEnv, Partial<CopyDefaults>, boolean]>([
    ['flag false over env true', {progress: false}, {TRANSPORTER_PROGRESS: 'true'}, {progress: true}, false],
    ['env f over config true', {}, {TRANSPORTER_PROGRESS: 'f'}, {progress: true}, false],
    ['env t over config false', {}, {TRANSPORTER_PROGRESS: 't'}, {progress: false}, true],
    ['env 1', {}, {TRANSPORTER_PROGRESS: '1'}, {}, true],
    ['config', {}, {}, {progress: true}, true],
    ['default', {}, {}, {}, false],
  ])('progress: %s', (_, flags, env, copy, expected) => {
    expect(resolve(flags, env, config(copy)).settings.progress).toBe(expected)
  })

  test.each<[string, CopyFlags, NodeJS.ProcessEnv, Partial<CopyDefaults>, number]>([
    ['flag', {'report-interval': 2}, {TRANSPORTER_REPORT_INTERVAL: '3'}, {reportInterval: 4}, 2000],
    ['env in a Go base', {}, {TRANSPORTER_REPORT_INTERVAL: '0x10'}, {reportInterval: 4}, 16_000],
    ['config', {}, {}, {reportInterval: 4}, 4000],
    ['0 means 5 s', {'report-interval': 0}, {}, {}, 5000],
    ['negative means 5 s', {}, {TRANSPORTER_REPORT_INTERVAL: '-3'}, {}, 5000],
    ['capped at the longest Node timer', {'report-interval': 10_000_000}, {}, {}, 2 ** 31 - 1],
  ])('report interval: %s', (_, flags, env, copy, ms) => {
    expect(resolve(flags, env, config(copy)).settings.reportIntervalMs).toBe(ms)
  })

  test('rsync path: flag > env > config rsync.path > rsync', () => {
    expect(resolve({'rsync-path': '/f'}, {TRANSPORTER_RSYNC_PATH: '/e'}, config({}, '/c')).rsyncPath).toBe('/f')
    expect(resolve({}, {TRANSPORTER_RSYNC_PATH: '/e'}, config({}, '/c')).rsyncPath).toBe('/e')
    expect(resolve({}, {}, config({}, '/c')).rsyncPath).toBe('/c')
  })

  test('dry-run and json come from flags and the environment only', () => {
    const r = resolve({}, {TRANSPORTER_DRY_RUN: 'true', TRANSPORTER_JSON: 'T'})
    expect([r.settings.dryRun, r.settings.json]).toEqual([true, true])
  })

  test.each<[NodeJS.ProcessEnv, RegExp]>([
    [{TRANSPORTER_DRY_RUN: 'yes'}, /^TRANSPORTER_DRY_RUN="yes" is not a boolean$/],
    [{TRANSPORTER_JSON: 'yes'}, /^TRANSPORTER_JSON="yes" is not a boolean$/],
    [{TRANSPORTER_PROGRESS: 'on'}, /^TRANSPORTER_PROGRESS="on" is not a boolean$/],
    [{TRANSPORTER_RETRIES: 'three'}, /^TRANSPORTER_RETRIES="three" is not an integer$/],
    [{TRANSPORTER_REPORT_INTERVAL: '5s'}, /^TRANSPORTER_REPORT_INTERVAL="5s" is not an integer$/],
    [{TRANSPORTER_RETRIES: '0'}, /^--retries must be at least 1, got 0$/],
    [{TRANSPORTER_PARALLEL: '65'}, /^--parallel must be between 1 and 64, got 65$/],
    [{TRANSPORTER_SHARD: '4/4'}, /^--shard "4\/4" is not i\/N/],
  ])('%j → usage error 22', (env, message) => {
    const f = thrown(() => resolve({}, env))
    expect(f?.exitCode).toBe(22)
    expect(f?.message).toMatch(message)
  })

  test('a bound holds for the config too', () => {
    expect(thrown(() => resolve({}, {}, config({parallel: 0})))?.message).toBe('--parallel must be between 1 and 64, got 0')
  })

  test('envValue: unset and empty are undefined', () => {
    expect(envValue({}, 'verify', 'bool')).toBeUndefined()
    expect(envValue({TRANSPORTER_VERIFY: ''}, 'verify', 'bool')).toBeUndefined()
    expect(envValue({TRANSPORTER_RETRIES: '010'}, 'retries', 'int')).toBe(8)
  })
})

describe('parseShard', () => {
  test.each<[string, NodeJS.ProcessEnv, {index: number; count: number}]>([
    ['0/4', {}, {index: 0, count: 4}],
    [' 3/4 ', {}, {index: 3, count: 4}],
    ['auto', {JOB_COMPLETION_INDEX: '2', TRANSPORTER_SHARD_COUNT: '5'}, {index: 2, count: 5}],
    ['auto', {SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3'}, {index: 2, count: 3}],
  ])('%j with %j', (value, env, shard) => {
    expect(parseShard(value, env)).toEqual(shard)
  })

  test.each<[string, NodeJS.ProcessEnv]>([
    ['4/4', {}],
    ['-1/4', {}],
    ['1/0', {}],
    ['1/100001', {}],
    ['a/b', {}],
    ['auto', {}],
    ['auto', {JOB_COMPLETION_INDEX: '2'}],
    ['auto', {JOB_COMPLETION_INDEX: '5', TRANSPORTER_SHARD_COUNT: '5'}],
    ['auto', {JOB_COMPLETION_INDEX: '1.5', TRANSPORTER_SHARD_COUNT: '5'}],
    ['auto', {SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3'}],
  ])('%j with %j → 22', (value, env) => {
    expect(thrown(() => parseShard(value, env))?.exitCode).toBe(22)
  })
})

describe('jsonRequested: from argv before parsing, then TRANSPORTER_JSON', () => {
  test.each<[string[], Record<string, string>, boolean]>([
    [['copy', '--json'], {}, true],
    [['-json'], {}, true],
    [['-json=false'], {TRANSPORTER_JSON: 'true'}, false],
    [['-json=t'], {}, true],
    [['--json', '--no-json'], {}, false],
    [['--no-json', '-json=1'], {}, true],
    // a string option's value is skipped: `-src -json` is a path
    [['-src', '-json'], {}, false],
    [['-report-interval', '-json'], {}, false],
    [['-dest-dir', '-json'], {}, true],
    [['--', '--json'], {}, false],
    [['-json=maybe'], {}, false],
    [[], {TRANSPORTER_JSON: 'true'}, true],
    [[], {TRANSPORTER_JSON: 't'}, true],
    [[], {TRANSPORTER_JSON: 'f'}, false],
    [[], {TRANSPORTER_JSON: ''}, false],
    [[], {TRANSPORTER_JSON: 'yes'}, false],
  ])('%j with %j → %s', (argv, env, expected) => {
    expect(jsonRequested(argv, env)).toBe(expected)
  })
})
