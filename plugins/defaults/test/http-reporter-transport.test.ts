import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {CopyEvent} from 'transporter/plugin-api'
import {afterEach, describe, expect, it} from 'vitest'
import {startForwardingProxy, type ForwardingProxy} from '../../../test/helpers/http-proxy.js'
import {httpReporter} from '../src/http-reporter.js'
import {MAX_RESPONSE_BYTES} from '../src/report-poster.js'
import {captureServers, testEnv, waitFor} from './reporter-env.js'

const server = captureServers()
const proxies: ForwardingProxy[] = []
const others: Server[] = []
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()))
  for (const s of others.splice(0)) {
    s.closeAllConnections()
    s.close()
  }
})

async function proxyTo(port: number): Promise<ForwardingProxy> {
  const p = await startForwardingProxy(port)
  proxies.push(p)
  return p
}

const portOf = (url: string) => Number(new URL(url).port)

/** One successful run: the final progress report is the only POST. */
async function reportOnce(reportAddr: string, env: Record<string, string> = {}) {
  const testenv = testEnv({reportAddr, progress: true, reportIntervalMs: 600_000}, {env})
  const reporter = await httpReporter.create({retries: 1}, testenv)
  const events: CopyEvent[] = [
    {type: 'attempt-start', attempt: 1},
    {type: 'progress', attempt: 1, filesTransferred: 2, filesTotal: 2},
    {type: 'done', exitCode: 0, class: 'ok', filesTransferred: 2, filesTotal: 2, bytes: 9, durationMs: 1, stderrTail: '', reason: ''},
  ]
  for (const e of events) void reporter.onEvent(e)
  await reporter.flush?.(Date.now() + 20_000)
  return testenv
}

const BASIC = `Basic ${Buffer.from('alice:s3cr:t w').toString('base64')}`

describe('http reporter: credentials and User-Agent on both transports (spec §8.3)', () => {
  it('directly: the URL credentials become a Basic header; the query is kept', async () => {
    const s = await server()
    const url = new URL(s.url)
    await reportOnce(`http://alice:s3cr%3At%20w@127.0.0.1:${url.port}/report?token=T`)
    expect(s.requests).toHaveLength(1)
    expect(s.requests[0]?.url).toBe('/report?token=T')
    expect(s.requests[0]?.headers.authorization).toBe(BASIC)
    expect(s.requests[0]?.headers['user-agent']).toBe('transporter/0.0.0-test')
  })

  it('through an http proxy: the receiver behind it gets the same header', async () => {
    const s = await server()
    const proxy = await proxyTo(portOf(s.url))
    const env = await reportOnce(`http://alice:s3cr%3At%20w@reports.invalid:8080/report?token=T`, {http_proxy: proxy.url})
    expect(proxy.seen.map((r) => r.url)).toEqual(['http://reports.invalid:8080/report?token=T'])
    expect(s.requests).toHaveLength(1)
    expect(s.requests[0]?.headers.authorization).toBe(BASIC)
    expect(s.requests[0]?.headers['user-agent']).toBe('transporter/0.0.0-test')
    expect(env.log.lines.filter((l) => l.startsWith('warn'))).toEqual([])
  })

  it('sends no Authorization header when the URL has no credentials', async () => {
    const s = await server()
    await reportOnce(s.url)
    expect(s.requests[0]?.headers.authorization).toBeUndefined()
  })
})

/** Answers every request with `total` bytes, written as fast as the client reads; `sent` says how far it got. */
async function hugeAnswer(total: number): Promise<{port: number; sent: () => number; finished: Promise<void>}> {
  let sent = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  const srv = createServer((req, res) => {
    req.resume()
    res.writeHead(200, {'content-type': 'text/plain'})
    res.on('close', done)
    const pump = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
  })
  others.push(srv)
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return {port: (srv.address() as AddressInfo).port, sent: () => sent, finished}
}

describe('http reporter: response bodies are not read past 64 KiB', () => {
  const TOTAL = 100 * 1024 * 1024
  // what loopback socket buffers can take before the reader is asked for more
  const SOCKET_SLACK = 32 * 1024 * 1024

  it('directly: a 100 MB answer is cut off after the first 64 KiB', async () => {
    const big = await hugeAnswer(TOTAL)
    const env = await reportOnce(`http://127.0.0.1:${big.port}/report`)
    await big.finished
    expect(big.sent()).toBeLessThan(MAX_RESPONSE_BYTES + SOCKET_SLACK)
    expect(env.log.lines.filter((l) => l.startsWith('warn'))).toEqual([])
  })

  it('through a proxy: the same', async () => {
    const big = await hugeAnswer(TOTAL)
    const proxy = await proxyTo(big.port)
    const env = await reportOnce('http://reports.invalid/report', {http_proxy: proxy.url})
    await big.finished
    expect(big.sent()).toBeLessThan(MAX_RESPONSE_BYTES + SOCKET_SLACK)
    expect(env.log.lines.filter((l) => l.startsWith('warn'))).toEqual([])
  })
})

describe('http reporter: periodic reports while any --parallel worker runs (spec §8.1)', () => {
  it('keeps ticking after the first worker ends its attempt, and stops when the last one does', async () => {
    const s = await server()
    const env = testEnv({reportAddr: s.url, progress: true, reportIntervalMs: 100})
    const reporter = await httpReporter.create({}, env)
    void reporter.onEvent({type: 'attempt-start', attempt: 1})
    void reporter.onEvent({type: 'attempt-start', attempt: 2})
    void reporter.onEvent({type: 'progress', attempt: 1, filesTransferred: 3, filesTotal: 10})
    void reporter.onEvent({type: 'attempt-end', attempt: 1, code: 0, reason: '', class: 'ok', stderrTail: ''})
    const afterFirstEnded = s.requests.length
    await waitFor(() => s.requests.length >= afterFirstEnded + 2, 'periodic reports after worker 1 ended')
    void reporter.onEvent({type: 'attempt-end', attempt: 2, code: 0, reason: '', class: 'ok', stderrTail: ''})
    void reporter.onEvent({type: 'done', exitCode: 0, class: 'ok', filesTransferred: 3, filesTotal: 10, bytes: 0, durationMs: 1, stderrTail: '', reason: ''})
    await reporter.flush?.(Date.now() + 5000)
    expect(s.json().at(-1)).toEqual({current_count: 3, total_count: 10, message: '', errcode: 0, reason: ''})
  })
})
