import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {CopyEvent, Reporter} from 'transporter/plugin-api'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {httpReporter} from '../src/http-reporter.js'
import {captureServers, type TestEnv, testEnv, waitFor} from './reporter-env.js'

const server = captureServers()
afterEach(() => {
  vi.useRealTimers()
})

const start: CopyEvent = {type: 'start', runId: 'r1', src: '/src/', dest: '/dest'}
const attemptStart = (attempt: number): CopyEvent => ({type: 'attempt-start', attempt})
const progress = (attempt: number, n: number, t: number): CopyEvent => ({type: 'progress', attempt, filesTransferred: n, filesTotal: t})
const attemptEnd = (attempt: number, code: number): CopyEvent => ({
  type: 'attempt-end',
  attempt,
  code,
  reason: code === 0 ? '' : `exit status ${code}`,
  class: code === 0 ? 'ok' : 'partial',
  stderrTail: '',
})
const done = (exitCode: number, reason = '', stderrTail = ''): CopyEvent => ({
  type: 'done',
  exitCode,
  class: exitCode === 0 ? 'ok' : 'partial',
  filesTransferred: 0,
  filesTotal: 0,
  bytes: 0,
  durationMs: 1,
  stderrTail,
  reason,
})

async function reporterFor(env: TestEnv, options: unknown = {}): Promise<Reporter> {
  return httpReporter.create(options, env)
}

function feed(reporter: Reporter, events: CopyEvent[]): void {
  for (const e of events) void reporter.onEvent(e)
}

async function run(reporter: Reporter, events: CopyEvent[], flushMs = 10_000): Promise<void> {
  feed(reporter, events)
  await reporter.flush?.(Date.now() + flushMs)
}

describe('http reporter: payloads', () => {
  it('sends the final progress report, then the error report, with Go-identical bytes', async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, progress: true, stderr: true, reportIntervalMs: 600_000})
    const tail = new TextDecoder().decode(Buffer.concat([Buffer.from('open "/src/caf'), Buffer.from([0xe9]), Buffer.from('" <a> & b\u2028\u2029\t\u0001\n')]))
    await run(await reporterFor(env), [start, attemptStart(1), progress(1, 3, 12), attemptEnd(1, 23), done(13, 'exit status 23', tail)])

    expect(s.requests.map((r) => r.body.toString('utf8'))).toEqual([
      '{"current_count":3,"total_count":12,"message":"","errcode":0,"reason":""}',
      String.raw`{"current_count":0,"total_count":0,"message":"open \"/src/caf\ufffd\" \u003ca\u003e \u0026 b\u2028\u2029\t\u0001\n","errcode":13,"reason":"exit status 23"}`,
    ])
    for (const r of s.requests) {
      expect(r.method).toBe('POST')
      expect(r.url).toBe('/report')
      expect(r.headers['content-type']).toBe('application/json')
    }
    expect(env.log.lines).toEqual([])
  })

  it('sends no error report when the run succeeds', async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, progress: true, stderr: true, reportIntervalMs: 600_000})
    await run(await reporterFor(env), [start, attemptStart(1), progress(1, 2, 2), attemptEnd(1, 0), done(0)])
    expect(s.json()).toEqual([{current_count: 2, total_count: 2, message: '', errcode: 0, reason: ''}])
  })

  it('sends only the error report with --stderr alone, e.g. after SIGTERM', async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, stderr: true})
    await run(await reporterFor(env), [start, attemptStart(1), progress(1, 1, 9), attemptEnd(1, 20), done(143, 'terminated by SIGTERM', 'x')])
    expect(s.json()).toEqual([{current_count: 0, total_count: 0, message: 'x', errcode: 143, reason: 'terminated by SIGTERM'}])
  })

  it("reports the last attempt's counters in the final report", async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, progress: true, reportIntervalMs: 600_000})
    const events = [start, attemptStart(1), progress(1, 5, 10), attemptEnd(1, 23)]
    events.push({type: 'retry', attempt: 1, delayMs: 0, counted: true}, attemptStart(2), progress(2, 2, 4), attemptEnd(2, 0), done(0))
    await run(await reporterFor(env), events)
    expect(s.json()).toEqual([{current_count: 2, total_count: 4, message: '', errcode: 0, reason: ''}])
  })

  it.each([
    ['no report-addr', {progress: true, stderr: true}],
    ['a dry run', {progress: true, stderr: true, dryRun: true}],
    ['neither --progress nor --stderr', {}],
  ])('sends nothing with %s', async (_name, settings) => {
    const s = await server()
    const env = testEnv({reportIntervalMs: 20, ...settings, ...(_name === 'no report-addr' ? {} : {reportAddr: s.url})})
    const reporter = await reporterFor(env)
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    feed(reporter, [start, attemptStart(1), progress(1, 1, 1)])
    // fifty intervals pass and no tick is even scheduled
    vi.advanceTimersByTime(1000)
    expect(vi.getTimerCount()).toBe(0)
    await run(reporter, [attemptEnd(1, 23), done(13, 'exit status 23', 'boom')])
    expect(s.requests).toHaveLength(0)
  })
})

describe('http reporter: periodic progress', () => {
  it('POSTs the current counters every interval, 0/0 first, and the final report last', async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, progress: true, reportIntervalMs: 50})
    const reporter = await reporterFor(env)
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    /** one interval passes; its POST lands before the next */
    const tick = async () => {
      const before = s.requests.length
      vi.advanceTimersByTime(50)
      await waitFor(() => s.requests.length === before + 1, `tick ${before + 1}`)
    }
    feed(reporter, [start, attemptStart(1)])
    await tick()
    for (let n = 1; n <= 3; n++) {
      reporter.onEvent(progress(1, n, 10))
      await tick()
      await tick()
    }
    await run(reporter, [attemptEnd(1, 0), done(0)])

    const bodies = s.json()
    expect(bodies[0]).toEqual({current_count: 0, total_count: 0, message: '', errcode: 0, reason: ''})
    // unchanged counters are reported again; the final report comes last
    expect(bodies.map((b) => b.current_count)).toEqual([0, 1, 1, 2, 2, 3, 3, 3])
    expect(bodies.at(-1)).toEqual({current_count: 3, total_count: 10, message: '', errcode: 0, reason: ''})
  })

  it('stops ticking between attempts and after the run', async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, progress: true, reportIntervalMs: 20})
    const reporter = await reporterFor(env)
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval']})
    feed(reporter, [start, attemptStart(1), progress(1, 1, 2)])
    for (let n = 1; n <= 2; n++) {
      vi.advanceTimersByTime(20)
      await waitFor(() => s.requests.length === n, `tick ${n}`)
    }
    expect(vi.getTimerCount()).toBe(1)
    reporter.onEvent(attemptEnd(1, 23))
    // no interval is left to fire, however long the gap before the next attempt
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(60_000)
    await run(reporter, [done(13, 'exit status 23')])
    expect(s.requests.length).toBe(3)
    reporter.onEvent(done(13, 'exit status 23'))
    expect(vi.getTimerCount()).toBe(0)
    expect(s.json().map((b) => b.current_count)).toEqual([1, 1, 1])
  })

  it('never has more than one progress POST in flight against a slow receiver', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const bodies: string[] = []
    const slow = createServer((req, res) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'))
        setTimeout(() => {
          inFlight--
          res.end('ok')
        }, 150)
      })
    })
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/r`
      const env = testEnv({reportAddr: url, progress: true, stderr: true, reportIntervalMs: 10})
      const reporter = await reporterFor(env)
      feed(reporter, [start, attemptStart(1), progress(1, 4, 8)])
      await waitFor(() => bodies.length >= 3, 'three progress POSTs')
      await run(reporter, [attemptEnd(1, 23), done(13, 'exit status 23', 'tail')])
      expect(maxInFlight).toBe(1)
      expect(JSON.parse(bodies.at(-2) ?? '')).toEqual({current_count: 4, total_count: 8, message: '', errcode: 0, reason: ''})
      expect(JSON.parse(bodies.at(-1) ?? '')).toMatchObject({errcode: 13, message: 'tail'})
    } finally {
      slow.closeAllConnections()
      await new Promise((resolve) => slow.close(resolve))
    }
  })
})
