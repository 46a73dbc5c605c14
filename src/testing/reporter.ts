import {describe, expect, it} from 'vitest'
import type {CopyEvent, Factory, Reporter} from '../plugin-api.js'
import {byDeadline, testFactoryEnv, type TestEnv} from './env.js'

export interface ReporterConformanceOptions {
  /** the options the factory is created with (default {}) */
  options?: unknown
  /** a fresh env per test (default: testFactoryEnv()) */
  env?: () => TestEnv
  /** called after each test's reporter has been flushed, to clean up or check its output */
  after?: (env: TestEnv) => void | Promise<void>
}

/** A whole run as copy emits it: a failed attempt, a retry, a successful attempt. */
export function runEvents(src = '/conformance/src/', dest = '/conformance/dest'): CopyEvent[] {
  return [
    {type: 'start', runId: 'conformance-run', src, dest},
    {type: 'attempt-start', attempt: 1},
    {type: 'progress', attempt: 1, filesTransferred: 0, filesTotal: 0},
    {type: 'progress', attempt: 1, filesTransferred: 1, filesTotal: 3, bytes: 10},
    {
      type: 'attempt-end',
      attempt: 1,
      code: 23,
      reason: 'exit status 23',
      class: 'partial',
      stderrTail: 'rsync: [receiver] mkstemp "/x" failed: Permission denied (13)\n',
    },
    {type: 'retry', attempt: 1, delayMs: 0, counted: true},
    {type: 'attempt-start', attempt: 2},
    {type: 'progress', attempt: 2, filesTransferred: 3, filesTotal: 3, bytes: 30},
    {type: 'attempt-end', attempt: 2, code: 0, reason: 'exit status 0', class: 'ok', stderrTail: ''},
    {type: 'done', exitCode: 0, class: 'ok', filesTransferred: 3, filesTotal: 3, bytes: 30, durationMs: 1234, stderrTail: '', reason: 'exit status 0'},
  ]
}

async function deliver(reporter: Reporter, events: CopyEvent[]): Promise<void> {
  for (const event of events) await reporter.onEvent(event)
}

/**
 * The reporter contract (spec §7.1): create() gives an object with onEvent;
 * onEvent takes every event type in order without throwing; flush(deadline)
 * resolves by the deadline, even after a failed run.
 */
export function describeReporterConformance(name: string, factory: Factory<Reporter>, opts: ReporterConformanceOptions = {}): void {
  const makeEnv = opts.env ?? (() => testFactoryEnv())
  const create = async (env: TestEnv) => {
    const reporter = await factory.create(opts.options ?? {}, env)
    return reporter
  }
  const flushAndFinish = async (reporter: Reporter, env: TestEnv, budgetMs = 1000) => {
    if (reporter.flush !== undefined) {
      const deadline = Date.now() + budgetMs
      await byDeadline(reporter.flush(deadline), deadline, 2000, 'flush(deadline)')
    }
    await opts.after?.(env)
  }

  describe(`reporter conformance: ${name}`, () => {
    it('has a description', () => {
      expect(typeof factory.description).toBe('string')
      expect(factory.description.trim()).not.toBe('')
    })

    it('create() returns an object with onEvent() and an optional flush()', async () => {
      const env = makeEnv()
      const reporter = await create(env)
      expect(typeof reporter).toBe('object')
      expect(typeof reporter.onEvent).toBe('function')
      expect(['undefined', 'function']).toContain(typeof reporter.flush)
      expect(['undefined', 'boolean']).toContain(typeof reporter.wantsProgress)
      await flushAndFinish(reporter, env)
    })

    it('takes every event type of a run in order', async () => {
      const env = makeEnv()
      const reporter = await create(env)
      await expect(deliver(reporter, runEvents(env.settings.src, env.settings.dest))).resolves.toBeUndefined()
      await flushAndFinish(reporter, env)
    })

    it('takes a run without progress events, as it gets one when nothing turns live progress on', async () => {
      const env = makeEnv()
      const reporter = await create(env)
      const events = runEvents(env.settings.src, env.settings.dest).filter((e) => e.type !== 'progress')
      await expect(deliver(reporter, events)).resolves.toBeUndefined()
      await flushAndFinish(reporter, env)
    })

    it('takes a failed run ending in a fatal class', async () => {
      const env = makeEnv()
      const reporter = await create(env)
      const events: CopyEvent[] = [
        {type: 'start', runId: 'conformance-fail', src: env.settings.src, dest: env.settings.dest},
        {type: 'attempt-start', attempt: 1},
        {type: 'attempt-end', attempt: 1, code: 11, reason: 'exit status 11', class: 'fatal', stderrTail: 'No space left on device (28)\n'},
        {
          type: 'done',
          exitCode: 28,
          class: 'fatal',
          filesTransferred: 0,
          filesTotal: 0,
          bytes: 0,
          durationMs: 5,
          stderrTail: 'No space left on device (28)\n',
          reason: 'exit status 11',
        },
      ]
      await expect(deliver(reporter, events)).resolves.toBeUndefined()
      await flushAndFinish(reporter, env)
    })

    it('flush(deadline) resolves by a deadline that has already passed', async () => {
      const env = makeEnv()
      const reporter = await create(env)
      await deliver(reporter, runEvents(env.settings.src, env.settings.dest))
      if (reporter.flush !== undefined) {
        const deadline = Date.now() - 1
        await byDeadline(reporter.flush(deadline), deadline, 2000, 'flush(past deadline)')
      }
      await opts.after?.(env)
    })

    it('flush() without any event resolves', async () => {
      const env = makeEnv()
      const reporter = await create(env)
      await flushAndFinish(reporter, env)
    })
  })
}
