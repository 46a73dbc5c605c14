import type {CopyEvent, Reporter} from 'transporter/plugin-api'
import {describe, expect, it} from 'vitest'
import {startCaptureServer} from '../../../test/helpers/capture-server.js'
import {httpReporter} from '../src/http-reporter.js'
import {captureServers, type TestEnv, testEnv} from './reporter-env.js'

const server = captureServers()

const failedRun: CopyEvent[] = [
  {type: 'start', runId: 'r', src: '/s/', dest: '/d'},
  {type: 'attempt-start', attempt: 1},
  {type: 'progress', attempt: 1, filesTransferred: 1, filesTotal: 3},
  {type: 'attempt-end', attempt: 1, code: 23, reason: 'exit status 23', class: 'partial', stderrTail: 'e'},
  {type: 'done', exitCode: 13, class: 'partial', filesTransferred: 1, filesTotal: 3, bytes: 0, durationMs: 5, stderrTail: 'e', reason: 'exit status 23'},
]

async function runFailed(env: TestEnv, options: unknown = {}, flushMs = 20_000): Promise<Reporter> {
  const reporter = await httpReporter.create(options, env)
  for (const e of failedRun) void reporter.onEvent(e)
  await reporter.flush?.(Date.now() + flushMs)
  return reporter
}

const settings = (reportAddr: string) => ({reportAddr, progress: true, stderr: true, reportIntervalMs: 600_000})
const warnings = (env: TestEnv) => env.log.lines.filter((l) => l.startsWith('warn '))

describe('http reporter: failing receivers', () => {
  it('retries the final and error reports 3 times on 500 and logs the failure once', async () => {
    const s = await server({status: 500})
    const env = testEnv(settings(s.url))
    await runFailed(env)
    const bodies = s.json()
    expect(bodies).toHaveLength(6)
    expect(bodies.slice(0, 3).every((b) => b.errcode === 0 && b.current_count === 1)).toBe(true)
    expect(bodies.slice(3).every((b) => b.errcode === 13 && b.message === 'e')).toBe(true)
    expect(warnings(env)).toEqual([`warn report POST to ${s.url} answered 500 (further failures of this kind are not logged)`])
  })

  it('honours the retries option', async () => {
    const s = await server({status: 503})
    const env = testEnv(settings(s.url))
    await runFailed(env, {retries: 1})
    expect(s.requests).toHaveLength(2)
  })

  it('stops retrying once the receiver accepts', async () => {
    const s = await server({status: 200})
    const env = testEnv(settings(s.url))
    await runFailed(env, {retries: 5})
    expect(s.requests).toHaveLength(2)
    expect(warnings(env)).toEqual([])
  })

  it('logs a dropped connection once', async () => {
    const s = await server({drop: true})
    const env = testEnv(settings(s.url))
    await runFailed(env)
    expect(s.requests.length).toBeGreaterThanOrEqual(6)
    expect(warnings(env)).toHaveLength(1)
    expect(warnings(env)[0]).toContain(`report POST to ${s.url} failed: `)
  })

  it('logs a closed port once, naming ECONNREFUSED', async () => {
    const s = await startCaptureServer()
    await s.close()
    const env = testEnv(settings(s.url))
    await runFailed(env)
    expect(warnings(env)).toHaveLength(1)
    expect(warnings(env)[0]).toMatch(/^warn report POST to http:\/\/127\.0\.0\.1:\d+\/report failed: .*ECONNREFUSED/)
  })

  it('gives up on a request after timeoutMs and says so', async () => {
    const s = await server({delayMs: 60_000})
    const env = testEnv(settings(s.url))
    await runFailed(env, {timeoutMs: 100, retries: 1})
    expect(s.requests).toHaveLength(2)
    expect(warnings(env)).toEqual([`warn report POST to ${s.url} failed: no answer within 100 ms (further failures of this kind are not logged)`])
  })

  it('flush returns by its deadline when the receiver never answers', async () => {
    const s = await server({delayMs: 600_000})
    const env = testEnv(settings(s.url))
    await runFailed(env, {}, 300) // a hang here fails the test by its timeout
    expect(s.requests).toHaveLength(1)
    expect(warnings(env)).toEqual([`warn report delivery to ${s.url} abandoned at the exit deadline; the receiver may have missed the last reports`])
  })

  it('flush returns at once when nothing is pending', async () => {
    const env = testEnv(settings('http://127.0.0.1:9/never'))
    const reporter = await httpReporter.create({}, env)
    await reporter.flush?.(Date.now() + 600_000) // would hit the test timeout if it waited for the deadline
    expect(env.log.lines).toEqual([])
  })
})

describe('http reporter: proxies', () => {
  it('sends plain-http reports through HTTP_PROXY as absolute-URI requests', async () => {
    const proxy = await server()
    const env = testEnv(settings('http://receiver.invalid:8080/report'), {env: {HTTP_PROXY: proxy.url.replace('/report', '')}})
    await runFailed(env)
    expect(proxy.requests.map((r) => r.url)).toEqual(['http://receiver.invalid:8080/report', 'http://receiver.invalid:8080/report'])
    expect(proxy.json()[1]).toMatchObject({errcode: 13})
  })

  it('bypasses the proxy for NO_PROXY hosts (lower-case variables too)', async () => {
    const proxy = await server()
    const env = testEnv(settings('http://receiver.invalid:8080/report'), {
      env: {http_proxy: proxy.url.replace('/report', ''), no_proxy: 'other.example,.invalid'},
    })
    await runFailed(env, {retries: 1})
    expect(proxy.requests).toHaveLength(0)
    expect(warnings(env)).toEqual([expect.stringContaining('report POST to http://receiver.invalid:8080/report failed: ')])
  })

  it('never sends reports for the local machine through the proxy, as Go does', async () => {
    const s = await server()
    const env = testEnv(settings(s.url), {env: {HTTP_PROXY: 'http://127.0.0.1:9'}})
    await runFailed(env)
    expect(s.requests).toHaveLength(2)
    expect(warnings(env)).toEqual([])
  })
})

describe('http reporter: options', () => {
  const env = testEnv()
  it.each([
    [{timeout: 5}, /reporter 'http': unknown option 'timeout' \(known options: timeoutMs, retries\)/],
    [{timeoutMs: '30s'}, /option 'timeoutMs' must be an integer ≥ 1, got "30s"/],
    [{timeoutMs: 0}, /option 'timeoutMs' must be an integer ≥ 1, got 0/],
    [{retries: 1.5}, /option 'retries' must be an integer ≥ 1, got 1.5/],
    [['x'], /options must be an object \(timeoutMs, retries\), got a list/],
  ])('rejects %j', (options, message) => {
    expect(() => httpReporter.create(options, env)).toThrow(message)
  })

  it('accepts the documented defaults explicitly and no options at all', () => {
    expect(() => httpReporter.create({timeoutMs: 30_000, retries: 3}, env)).not.toThrow()
    expect(() => httpReporter.create(undefined, env)).not.toThrow()
  })
})
