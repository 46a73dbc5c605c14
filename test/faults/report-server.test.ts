import {writeFileSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import {startCaptureServer, type CaptureOptions, type CaptureServer} from '../helpers/capture-server.js'
import {configDir, launch, Sandbox} from './helpers/sandbox.js'
import {diffTrees, leftovers} from '../helpers/trees.js'

// The report server misbehaves; the copy must not care. Exit codes stay what
// the copy earned and the process ends within the flush budget (a hang would
// hit the test timeout; no timing is asserted).
const sb = new Sandbox('reports')
const servers: CaptureServer[] = []
afterAll(async () => {
  for (const s of servers) await s.close()
  sb.cleanup()
})

const CONFIG = 'reporters: [console, [http, {timeoutMs: 300}]]\nreports: {flushBudgetMs: 1000}\n'

function source(name: string): string {
  const src = sb.mkdir(`src-${name}`)
  writeFileSync(`${src}/a.txt`, 'a\n')
  writeFileSync(`${src}/b.txt`, 'b\n')
  return src
}

async function closedPortUrl(): Promise<string> {
  const s = await startCaptureServer()
  await s.close()
  return s.url
}

type Misbehaviour = {name: string; server: CaptureOptions | 'down'}

const cases: Misbehaviour[] = [
  {name: 'down', server: 'down'},
  {name: 'slow', server: {delayMs: 2000}},
  {name: 'status500', server: {status: 500}},
  {name: 'drops', server: {drop: true}},
]

describe('report server faults never change the outcome', () => {
  it.each(cases)('server $name: good copy → exit 0, trees identical, process ends', async ({name, server}) => {
    let capture: CaptureServer | undefined
    let url: string
    if (server === 'down') url = await closedPortUrl()
    else {
      capture = await startCaptureServer(server)
      servers.push(capture)
      url = capture.url
    }
    const src = source(name)
    const dest = sb.path(`dst-${name}`)
    const cwd = configDir(sb, name, CONFIG)
    const r = await launch(['-stderr', '-progress', '-report-addr', url, '-src', `${src}/`, '-dest', dest], {cwd, timeoutMs: 30_000}).done
    expect(r.signal).toBeNull()
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(src, dest)).toEqual([])
    expect(leftovers(sb.path())).toEqual([])
    // a failing reporter is logged once per kind of failure, never per report
    const warnings = r.stderr.split('\n').filter((l) => /WARN .*report/.test(l))
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    expect(new Set(warnings.map((l) => l.replace(/^\S+ /, ''))).size).toBe(warnings.length)
    // the final progress report was tried, and retried when the server failed it
    if (capture) {
      // retried (3 tries with backoff) unless the flush budget ran out first, which is said
      if (capture.requests.length < 2) expect(r.stderr).toContain('abandoned at the exit deadline')
      expect(capture.json().every((b) => b.errcode === 0)).toBe(true)
    }
  })

  it("server down during a failing copy → the copy's own exit code (36), not a reporting error", async () => {
    const src = source('fatal')
    const parent = sb.mkdir('dst-fatal')
    const cwd = configDir(sb, 'fatal', CONFIG)
    const r = await launch(['-stderr', '-progress', '-report-addr', await closedPortUrl(), '-src', `${src}/`, '-dest', `${parent}/${'x'.repeat(256)}`], {
      cwd,
      timeoutMs: 30_000,
    }).done
    expect(r.code, r.stderr).toBe(36)
    expect(r.stderr).toMatch(/WARN .*ECONNREFUSED/)
  })
})
