import type {CopyEvent} from 'transporter/plugin-api'
import {describe, expect, it} from 'vitest'
import {consoleReporter, createConsoleReporter} from '../src/console-reporter.js'
import {formatBytes, formatRate, progressLine} from '../src/progress-format.js'
import {testEnv} from './reporter-env.js'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')

/** A clock the test moves by hand. */
function manualClock() {
  let t = T0
  return {now: () => t, advance: (ms: number) => void (t += ms)}
}

const progress = (attempt: number, n: number, t: number, bytes?: number): CopyEvent =>
  bytes === undefined
    ? {type: 'progress', attempt, filesTransferred: n, filesTotal: t}
    : {type: 'progress', attempt, filesTransferred: n, filesTotal: t, bytes}
const attemptEnd = (attempt: number, code: number): CopyEvent => ({
  type: 'attempt-end',
  attempt,
  code,
  reason: `exit status ${code}`,
  class: code === 0 ? 'ok' : 'partial',
  stderrTail: '',
})
const done = (exitCode: number): CopyEvent => ({
  type: 'done',
  exitCode,
  class: 'ok',
  filesTransferred: 12,
  filesTotal: 12,
  bytes: 0,
  durationMs: 1,
  stderrTail: '',
  reason: '',
})

describe('progress-format', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [12_345_678, '12.3 MB'],
    [999_960, '1.0 MB'],
    [4.1e9, '4.1 GB'],
  ])('formatBytes(%d) = %s', (n, text) => {
    expect(formatBytes(n)).toBe(text)
  })

  it('formats a plain line like the documented example', () => {
    const line = progressLine(new Date(T0), {attempt: 1, filesTransferred: 120, filesTotal: 500, bytes: 12_300_000, elapsedMs: 3000})
    expect(line).toBe('2026-01-01T00:00:00.000Z progress attempt 1: 120/500 files, 12.3 MB, 4.1 MB/s\n')
    expect(formatRate(4_100_000)).toBe('4.1 MB/s')
  })
})

describe('console reporter: plain lines', () => {
  it('writes at most one line per interval and one at the end of each attempt, never the same twice', async () => {
    const env = testEnv({reportIntervalMs: 1000})
    const clock = manualClock()
    const reporter = await createConsoleReporter(env, clock)
    const feed = (e: CopyEvent, advanceMs = 0) => {
      clock.advance(advanceMs)
      void reporter.onEvent(e)
    }
    feed({type: 'start', runId: 'r', src: '/s/', dest: '/d'})
    feed({type: 'attempt-start', attempt: 1})
    feed(progress(1, 1, 500, 1_000_000), 400) // too soon
    feed(progress(1, 120, 500, 12_300_000), 600) // 1 s: a line
    feed(progress(1, 200, 500, 20_000_000), 500) // too soon
    feed(attemptEnd(1, 23), 100) // end of attempt: always a line
    feed({type: 'retry', attempt: 1, delayMs: 1000, counted: true}, 100)
    feed({type: 'attempt-start', attempt: 2}, 1000)
    feed(progress(2, 12, 12), 2000)
    feed(attemptEnd(2, 0))
    feed(done(0))
    await reporter.flush?.(Date.now() + 1000)

    expect(env.stderr.text).toBe(
      [
        '2026-01-01T00:00:01.000Z progress attempt 1: 120/500 files, 12.3 MB, 12.3 MB/s',
        '2026-01-01T00:00:01.600Z progress attempt 1: 200/500 files, 20.0 MB, 12.5 MB/s',
        '2026-01-01T00:00:04.700Z progress attempt 2: 12/12 files',
        '',
      ].join('\n'),
    )
    expect(env.stdout.text).toBe('')
  })

  it('uses plain lines on a terminal when the bar is turned off', async () => {
    const env = testEnv({progressBar: false}, {stderrTTY: true})
    const reporter = await createConsoleReporter(env, manualClock())
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent({type: 'progress', attempt: 1, filesTransferred: 2, filesTotal: 3})
    void reporter.onEvent(attemptEnd(1, 0))
    expect(env.stderr.text).toBe('2026-01-01T00:00:00.000Z progress attempt 1: 2/3 files\n')
  })

  it('prints no progress line for an attempt that reported no progress (rsync ran without it)', async () => {
    const env = testEnv({progressBar: false}, {stderrTTY: false})
    const reporter = await createConsoleReporter(env, manualClock())
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent(attemptEnd(1, 0))
    expect(env.stderr.text).toBe('')
  })

  it.each([{quiet: true}, {json: true}])('writes nothing with %j', async (settings) => {
    for (const tty of [false, true]) {
      const env = testEnv(settings, {stderrTTY: tty})
      const reporter = await consoleReporter.create({}, env)
      for (const e of [{type: 'attempt-start', attempt: 1} as const, progress(1, 1, 2, 10), attemptEnd(1, 0), done(0)]) void reporter.onEvent(e)
      await reporter.flush?.(Date.now() + 1000)
      expect(env.stderr.text + env.stdout.text).toBe('')
    }
  })

  it('rejects options', () => {
    expect(() => consoleReporter.create({color: true}, testEnv())).toThrow(/reporter 'console': unknown option 'color' \(it takes no options\)/)
  })
})

describe('console reporter: terminal bar', () => {
  it('draws a bar with counts, bytes and rate, complete and on its own line at the end', async () => {
    const env = testEnv({}, {stderrTTY: true})
    const clock = manualClock()
    const reporter = await createConsoleReporter(env, clock)
    void reporter.onEvent({type: 'start', runId: 'r', src: '/s/', dest: '/d'})
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    clock.advance(1000)
    void reporter.onEvent(progress(1, 3, 12, 3_000_000))
    void reporter.onEvent(attemptEnd(1, 0))
    void reporter.onEvent(done(0))
    await reporter.flush?.(Date.now() + 1000)

    const text = env.stderr.text
    expect(text).toContain('100% | 12/12 files | 3.0 MB')
    expect(text).toMatch(/MB\/s \| ETA /)
    expect(text).not.toContain('attempt 1')
    expect(text.endsWith('\n')).toBe(true)
    expect(env.stdout.text).toBe('')
  })

  it('names the attempt from the second one on and leaves a failed attempt as it was', async () => {
    const env = testEnv({}, {stderrTTY: true})
    const reporter = await consoleReporter.create({}, env)
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent(progress(1, 5, 10))
    void reporter.onEvent(attemptEnd(1, 23))
    const first = env.stderr.text
    expect(first).toContain('50% | 5/10 files | - | -')
    expect(first.endsWith('\n')).toBe(true)
    void reporter.onEvent({type: 'attempt-start', attempt: 2})
    void reporter.onEvent(progress(2, 10, 10))
    void reporter.onEvent(attemptEnd(2, 0))
    void reporter.onEvent(done(0))
    const second = env.stderr.text.slice(first.length)
    expect(second).toContain('attempt 2 [')
    expect(second).toContain('100% | 10/10 files')
    expect(second.endsWith('\n')).toBe(true)
  })
})
