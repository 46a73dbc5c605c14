import type {CopyEvent} from 'transporter/plugin-api'
import {describe, expect, it} from 'vitest'
import type {StatusMemorySink} from '../../../src/testing/env.js'
import {barLine, consoleReporter, createConsoleReporter} from '../src/console-reporter.js'
import {formatBytes, formatRate, progressLine} from '../src/progress-format.js'
import {testEnv} from './reporter-env.js'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')

/** A clock the test moves by hand. */
function manualClock() {
  let t = T0
  return {now: () => t, advance: (ms: number) => void (t += ms)}
}

const progress = (attempt: number, n: number, t: number, bytes?: number): CopyEvent =>
  bytes === undefined ? {type: 'progress', attempt, filesTransferred: n, filesTotal: t} : {type: 'progress', attempt, filesTransferred: n, filesTotal: t, bytes}
const attemptEnd = (attempt: number, code: number): CopyEvent => ({
  type: 'attempt-end',
  attempt,
  code,
  reason: `exit status ${code}`,
  class: code === 0 ? 'ok' : 'partial',
  stderrTail: '',
})
const done = (exitCode: number): Extract<CopyEvent, {type: 'done'}> => ({
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

describe('console reporter: terminal bar on the host status line', () => {
  const statusEnv = () => {
    const env = testEnv({}, {stderrStatus: true})
    return {env, sink: env.stderr as StatusMemorySink}
  }

  it('draws one live bar with counts, bytes and rate, then finishes it on its own line at 100%', async () => {
    const {env, sink} = statusEnv()
    const clock = manualClock()
    const reporter = await createConsoleReporter(env, clock)
    expect(reporter.wantsProgress).toBe(true)
    void reporter.onEvent({type: 'start', runId: 'r', src: '/s/', dest: '/d'})
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    clock.advance(1000)
    void reporter.onEvent(progress(1, 3, 12, 3_000_000))
    expect(sink.statusLine).toBe(`[${'█'.repeat(6)}${'░'.repeat(18)}]  25% | 3/12 files | 3.0 MB | 3.0 MB/s | ETA 3s`)
    // nothing but the status line so far: a log line written now would sit above the bar, not under it
    expect(sink.text).toBe('')
    void reporter.onEvent(attemptEnd(1, 0))
    clock.advance(1000)
    void reporter.onEvent(done(0))
    await reporter.flush?.(Date.now() + 1000)

    expect(sink.statusLine).toBe('')
    expect(sink.text).toBe(`[${'█'.repeat(24)}] 100% | 12/12 files | 3.0 MB | 1.5 MB/s | done in 2s\n`)
    expect(env.stdout.text).toBe('')
  })

  it('keeps one bar across retries, naming the attempt from the second one on', async () => {
    const {env, sink} = statusEnv()
    const reporter = await consoleReporter.create({}, env)
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent(progress(1, 5, 10))
    expect(sink.statusLine).toContain(' 50% | 5/10 files | - | -')
    void reporter.onEvent(attemptEnd(1, 23))
    void reporter.onEvent({type: 'retry', attempt: 1, delayMs: 0, counted: true})
    // the failed attempt leaves no line of its own: the bar is still the one live line
    expect(sink.text).toBe('')
    void reporter.onEvent({type: 'attempt-start', attempt: 2})
    expect(sink.statusLine).toMatch(/^attempt 2 \[░+\] {3}0% \| 0\/0 files/)
    void reporter.onEvent(progress(2, 10, 10))
    expect(sink.statusLine).toMatch(/^attempt 2 \[█+\] 100% \| 10\/10 files/)
    void reporter.onEvent(attemptEnd(2, 0))
    void reporter.onEvent(done(0))
    expect(sink.text.split('\n')).toEqual([expect.stringMatching(/^\[█+\] 100% \| 10\/10 files \| 0 B/), ''])
    expect(sink.statusLine).toBe('')
  })

  it('sums --parallel workers into one unlabelled bar that a worker ending or retrying never resets', async () => {
    const {env, sink} = statusEnv()
    const clock = manualClock()
    const reporter = await createConsoleReporter(env, clock)
    for (const attempt of [1, 2, 3, 4]) void reporter.onEvent({type: 'attempt-start', attempt})
    // the engine's progress events carry the run's counters: every worker's latest sample, summed
    const sums: Array<[number, number, number, number]> = [
      [1, 2, 40, 2000],
      [3, 5, 40, 5000],
      [2, 9, 80, 9000],
      [4, 14, 100, 14_000],
    ]
    for (const [attempt, n, total, bytes] of sums) {
      clock.advance(500)
      void reporter.onEvent(progress(attempt, n, total, bytes))
    }
    expect(sink.statusLine).toMatch(/^\[█{3}░{21}\] {2}14% \| 14\/100 files \| 14\.0 kB \| 7\.0 kB\/s \| ETA 12s$/)
    // worker 3 fails and retries as attempt 5 while the others run on
    void reporter.onEvent(attemptEnd(3, 23))
    void reporter.onEvent({type: 'attempt-start', attempt: 5})
    expect(sink.statusLine).toContain(' 14% | 14/100 files')
    void reporter.onEvent(progress(5, 60, 100, 60_000))
    void reporter.onEvent(attemptEnd(1, 0))
    void reporter.onEvent(progress(2, 100, 100, 100_000))
    for (const attempt of [2, 4, 5]) void reporter.onEvent(attemptEnd(attempt, 0))
    expect(sink.statusLine).toContain('100% | 100/100 files | 100.0 kB')

    expect(sink.statusHistory.length).toBeGreaterThan(4)
    for (const line of sink.statusHistory) expect(line).not.toMatch(/attempt/)
    // once counts came in, the bar never fell back to a fresh worker's 0/0
    const firstCounts = sink.statusHistory.findIndex((l) => l.includes('2/40 files'))
    expect(sink.statusHistory.slice(firstCounts).filter((l) => l.includes('0/0 files'))).toEqual([])
    expect(sink.text).toBe('')
    void reporter.onEvent(done(0))
    expect(sink.text).toMatch(/^\[█{24}\] 100% \| 100\/100 files \| 100\.0 kB \| [^|]+ \| done in 2s\n$/)
  })

  it.each([
    ['a failed run', 23],
    ['Ctrl-C', 130],
    ['SIGTERM', 143],
  ])('clears the bar after %s, leaving no stale percentage', async (_what, exitCode) => {
    const {env, sink} = statusEnv()
    const reporter = await consoleReporter.create({}, env)
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent(progress(1, 12, 25, 1_200_000))
    expect(sink.statusLine).toContain(' 48% | 12/25 files')
    void reporter.onEvent(attemptEnd(1, exitCode === 23 ? 23 : 20))
    void reporter.onEvent({...done(exitCode), class: exitCode === 23 ? 'partial' : 'interrupted'})
    expect(sink.statusLine).toBe('')
    expect(sink.text).toBe('')
    await reporter.flush?.(Date.now() + 1000)
    expect(sink.statusLine).toBe('')
  })

  it('clears a live bar at flush when the run ended without done', async () => {
    const {env, sink} = statusEnv()
    const reporter = await consoleReporter.create({}, env)
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent(progress(1, 1, 2))
    expect(sink.statusLine).not.toBe('')
    await reporter.flush?.(Date.now() + 1000)
    expect(sink.statusLine).toBe('')
    expect(sink.text).toBe('')
  })
})

describe('console reporter: terminal bar on a host without a status line', () => {
  it('draws one cli-progress bar for the whole run, retries included, ended by done', async () => {
    const env = testEnv({}, {stderrTTY: true})
    const clock = manualClock()
    const reporter = await createConsoleReporter(env, clock)
    void reporter.onEvent({type: 'start', runId: 'r', src: '/s/', dest: '/d'})
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    clock.advance(1000)
    void reporter.onEvent(progress(1, 3, 12, 3_000_000))
    void reporter.onEvent(attemptEnd(1, 23))
    void reporter.onEvent({type: 'attempt-start', attempt: 2})
    clock.advance(1000)
    void reporter.onEvent(progress(2, 12, 12, 3_000_000))
    void reporter.onEvent(attemptEnd(2, 0))
    // one bar: it ends its line once, when the run is done
    expect(env.stderr.text).not.toContain('\n')
    void reporter.onEvent(done(0))
    await reporter.flush?.(Date.now() + 1000)

    const text = env.stderr.text
    expect(text).toContain('attempt 2 [')
    expect(text).toContain('100% | 12/12 files | 3.0 MB')
    expect(text).toMatch(/MB\/s \| ETA /)
    expect(text.indexOf('\n')).toBe(text.length - 1)
    expect(env.stdout.text).toBe('')
  })
})

describe('barLine', () => {
  it('shows an empty bar and no ETA before rsync has counted anything', () => {
    expect(barLine({label: '', filesTransferred: 0, filesTotal: 0, elapsedMs: 0})).toBe(`[${'░'.repeat(24)}]   0% | 0/0 files | - | - | ETA -`)
  })

  it('caps at 100% and takes a final tail', () => {
    expect(barLine({label: 'attempt 3 ', filesTransferred: 7, filesTotal: 5, bytes: 1500, elapsedMs: 1000}, 'done in 1s')).toBe(
      `attempt 3 [${'█'.repeat(24)}] 100% | 7/5 files | 1.5 kB | 1.5 kB/s | done in 1s`,
    )
  })
})
