import {describe, expect, it} from 'vitest'
import {MAX_SHARDS, parseShard} from '../../src/cli/copy-settings.js'
import {isTransporterError} from '../../src/core/codes/errors.js'

/** The usage error parseShard throws (exit 22), or a failure when it returns. */
function refusal(value: string, env: NodeJS.ProcessEnv = {}): {exitCode: number; message: string} {
  try {
    parseShard(value, env)
  } catch (error) {
    if (!isTransporterError(error)) throw error
    return {exitCode: error.exitCode, message: error.message}
  }
  throw new Error(`parseShard(${JSON.stringify(value)}) was accepted`)
}

const k8s = (index: string, count?: string) => ({JOB_COMPLETION_INDEX: index, ...(count === undefined ? {} : {TRANSPORTER_SHARD_COUNT: count})})
const slurm = (id: string, min: string, count: string) => ({SLURM_ARRAY_TASK_ID: id, SLURM_ARRAY_TASK_MIN: min, SLURM_ARRAY_TASK_COUNT: count})

describe('parseShard i/N', () => {
  it.each([
    ['0/1', 0, 1],
    ['3/4', 3, 4],
    [' 2/5 ', 2, 5],
    [`99999/${MAX_SHARDS}`, 99_999, MAX_SHARDS],
  ])('%j → %i of %i', (value, index, count) => {
    expect(parseShard(value, {})).toEqual({index, count})
  })

  it('no flag, no shard', () => {
    expect(parseShard(undefined, k8s('1', '4'))).toBeUndefined()
  })

  it.each(['4/4', '-1/2', 'x', '1/0', '0/100001', '1.5/4', '0x1/4', '1/4/', '', 'Auto', '99999999999999999999/99999999999999999999999', '1/1e3'])(
    'refuses %j with 22',
    (value) => {
      const r = refusal(value)
      expect(r.exitCode).toBe(22)
      expect(r.message).toContain('--shard')
    },
  )
})

describe('parseShard auto', () => {
  it.each([
    ['Kubernetes, first index', k8s('0', '4'), 0, 4],
    ['Kubernetes, last index', k8s('3', '4'), 3, 4],
    ['Kubernetes, one completion', k8s('0', '1'), 0, 1],
    ['Kubernetes wins when both schedulers are in the environment', {...k8s('2', '3'), ...slurm('0', '0', '9')}, 2, 3],
    ['Slurm --array=0-3, task 2', slurm('2', '0', '4'), 2, 4],
    ['Slurm --array=5-8, task 8', slurm('8', '5', '4'), 3, 4],
    ['Slurm --array=0-3%2 (throttled), task 0', slurm('0', '0', '4'), 0, 4],
    ['Slurm at the bound', slurm(String(MAX_SHARDS + 9), '10', String(MAX_SHARDS)), MAX_SHARDS - 1, MAX_SHARDS],
  ])('%s', (_name, env, index, count) => {
    expect(parseShard('auto', env)).toEqual({index, count})
  })

  it.each([
    ['nothing set', {}, 'none is set'],
    ['only empty values', {JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: ''}, 'none is set'],
    ['Kubernetes without TRANSPORTER_SHARD_COUNT', k8s('1'), 'TRANSPORTER_SHARD_COUNT is not set'],
    ['Kubernetes index = count', k8s('4', '4'), 'JOB_COMPLETION_INDEX=4 with TRANSPORTER_SHARD_COUNT=4'],
    ['Kubernetes count 0', k8s('0', '0'), 'TRANSPORTER_SHARD_COUNT=0'],
    ['Kubernetes count above the bound', k8s('0', '100001'), '100000'],
    ['Kubernetes index not a number', k8s('one', '4'), 'JOB_COMPLETION_INDEX="one" is not a non-negative integer'],
    ['Kubernetes negative index', k8s('-1', '4'), 'JOB_COMPLETION_INDEX="-1"'],
    ['Kubernetes unexpanded $(…)', k8s('$(JOB_COMPLETION_INDEX)', '4'), 'is not a non-negative integer'],
    ['Kubernetes absurd numbers', k8s('99999999999999999999', '99999999999999999999999'), 'is not a non-negative integer'],
    ['Slurm without SLURM_ARRAY_TASK_MIN', {SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4'}, 'SLURM_ARRAY_TASK_MIN is not set'],
    ['Slurm without SLURM_ARRAY_TASK_COUNT', {SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0'}, 'SLURM_ARRAY_TASK_COUNT is not set'],
    ['Slurm task below the minimum', slurm('1', '2', '4'), 'SLURM_ARRAY_TASK_ID=1 − SLURM_ARRAY_TASK_MIN=2'],
    ['Slurm array with a step (0-6:2)', slurm('6', '0', '4'), 'of SLURM_ARRAY_TASK_COUNT=4'],
    ['Slurm count above the bound', slurm('0', '0', '100001'), '100000'],
    ['Slurm fractional id', slurm('1.0', '0', '4'), 'SLURM_ARRAY_TASK_ID="1.0"'],
  ])('%s → 22', (_name, env, text) => {
    const r = refusal('auto', env as NodeJS.ProcessEnv)
    expect(r.exitCode).toBe(22)
    expect(r.message).toContain('--shard auto')
    expect(r.message).toContain(text)
  })
})
