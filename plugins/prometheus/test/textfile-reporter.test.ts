import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
// the suites as a plugin outside this repo gets them: from the transporter package (a devDependency)
import {describeReporterConformance, runEvents, testFactoryEnv} from 'transporter/testing'
import register from '../src/register.js'
import {parseTextfileOptions, textfileReporter} from '../src/textfile-reporter.js'
import {parseTextfile, valuesOf} from './parse-textfile.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'transporter-prometheus-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describeReporterConformance('prometheus/textfile', textfileReporter, {
  env: () => testFactoryEnv({baseDir: dir}),
  options: {file: 'conformance.prom', labels: {job: 'conformance'}},
})

describe('register', () => {
  it('answers the hook with the textfile reporter under API version 1', async () => {
    const answer = await register({apiVersion: 1})
    expect(answer.apiVersion).toBe(1)
    expect(Object.keys(answer.reporters ?? {})).toEqual(['textfile'])
  })
})

describe('prometheus/textfile', () => {
  it('writes every metric with src, dest and the configured labels when the run is done', async () => {
    const env = testFactoryEnv({baseDir: dir})
    const reporter = await textfileReporter.create({file: 'run.prom', labels: {job: 'nightly', team: 'data "eng"'}}, env)
    const before = Math.floor(Date.now() / 1000)
    for (const event of runEvents('/data/src/', '/data/dest')) await reporter.onEvent(event)
    await reporter.flush?.(Date.now() + 1000)
    const parsed = parseTextfile(readFileSync(join(dir, 'run.prom'), 'utf8'))
    expect(valuesOf(parsed)).toEqual({
      transporter_files_transferred: 3,
      transporter_files_total: 3,
      transporter_bytes_transferred: 30,
      transporter_attempts_total: 2,
      transporter_last_exit_code: 0,
      transporter_duration_seconds: 1.234,
      transporter_success: 1,
      transporter_last_run_timestamp_seconds: expect.toSatisfy((n: number) => n >= before),
    })
    for (const [name, sample] of parsed.samples) {
      expect(sample.labels, name).toEqual({src: '/data/src/', dest: '/data/dest', job: 'nightly', team: 'data "eng"'})
      expect(parsed.help.get(name), name).toBeTruthy()
      expect(parsed.type.get(name), name).toBe(name === 'transporter_attempts_total' ? 'counter' : 'gauge')
    }
    // the temp file was renamed away
    expect(readdirSync(dir).filter((f) => f.startsWith('run.prom.'))).toEqual([])
  })

  it('records a failed run as success 0 with its exit code', async () => {
    const env = testFactoryEnv({baseDir: dir})
    const reporter = await textfileReporter.create({file: join(dir, 'failed.prom')}, env)
    reporter.onEvent({type: 'start', runId: 'r', src: '/a', dest: '/b'})
    reporter.onEvent({type: 'attempt-start', attempt: 1})
    reporter.onEvent({
      type: 'done',
      exitCode: 28,
      class: 'fatal',
      filesTransferred: 1,
      filesTotal: 9,
      bytes: 5,
      durationMs: 20,
      stderrTail: '',
      reason: 'exit status 11',
    })
    await reporter.flush?.(Date.now() + 1000)
    const parsed = parseTextfile(readFileSync(join(dir, 'failed.prom'), 'utf8'))
    expect(parsed.samples.get('transporter_success')?.value).toBe(0)
    expect(parsed.samples.get('transporter_last_exit_code')?.value).toBe(28)
    expect(parsed.samples.get('transporter_files_total')?.value).toBe(9)
  })

  it('an interrupted run (no done event) still leaves its counters at flush, without an exit code', async () => {
    const env = testFactoryEnv({baseDir: dir})
    const reporter = await textfileReporter.create({file: 'interrupted.prom'}, env)
    reporter.onEvent({type: 'start', runId: 'r', src: '/a', dest: '/b'})
    reporter.onEvent({type: 'attempt-start', attempt: 1})
    reporter.onEvent({type: 'progress', attempt: 1, filesTransferred: 4, filesTotal: 10})
    await reporter.flush?.(Date.now() + 1000)
    const parsed = parseTextfile(readFileSync(join(dir, 'interrupted.prom'), 'utf8'))
    expect(parsed.samples.get('transporter_files_transferred')?.value).toBe(4)
    expect(parsed.samples.has('transporter_last_exit_code')).toBe(false)
    expect(parsed.samples.has('transporter_success')).toBe(false)
  })

  it('an unwritable file is logged once, never thrown', async () => {
    const env = testFactoryEnv({baseDir: dir})
    const reporter = await textfileReporter.create({file: join(dir, 'no-such-dir', 'x.prom')}, env)
    for (const event of runEvents()) reporter.onEvent(event)
    await reporter.flush?.(Date.now() + 1000)
    await reporter.flush?.(Date.now() + 1000)
    expect(env.logged.filter((l) => l.includes('cannot write'))).toHaveLength(1)
    expect(env.logged[0]).toMatch(/^warn prometheus\/textfile: cannot write .*no-such-dir\/x\.prom: /)
  })

  it.each([
    [undefined, 'options must be {file, labels?}'],
    [{}, 'option "file" is required'],
    [{file: 'x', label: {}}, 'unknown option "label"'],
    [{file: 'x', labels: ['a']}, 'option "labels" must be a mapping'],
    [{file: 'x', labels: {'bad-name': 'v'}}, '"bad-name" is not a valid Prometheus label name'],
    [{file: 'x', labels: {src: 'v'}}, 'label "src" is set by the reporter itself'],
    [{file: 'x', labels: {a: {}}}, 'label "a" must be a string'],
  ])('rejects options %j', (options, message) => {
    expect(() => parseTextfileOptions(options, dir)).toThrow(message)
  })

  it('resolves a relative file against the config directory', () => {
    expect(parseTextfileOptions({file: 'm/x.prom', labels: {n: 1}}, '/etc/conf')).toEqual({file: '/etc/conf/m/x.prom', labels: {n: '1'}})
  })
})
