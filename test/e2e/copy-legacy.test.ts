/**
 * The Go binary's invocations, verbatim (spec §1.1), with real rsync and a
 * real report receiver: scripts and container specs must keep working.
 */
import {statSync} from 'node:fs'
import {basename, join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {fakeRsync} from '../helpers/fake-rsync.js'
import {diffTrees, rsyncCounts, type Workspace} from '../helpers/trees.js'
import {createScratch, progressBody, runCopy} from './copy-helpers.js'

const scratch = createScratch()
afterEach(() => scratch.dispose())

const workspace = () => scratch.workspace()
const server = () => scratch.server()

/** `-src S -dest D` without a trailing slash: rsync puts S's tree at D/basename(S). */
const copied = (ws: Workspace) => join(ws.dest, basename(ws.src))

describe('seed invocations (spec §1.1)', () => {
  test('-dest-dir -progress -report-interval 10 -report-addr URL -src S -dest D', async () => {
    const ws = workspace()
    const srv = await server()
    const r = await runCopy(['-dest-dir', '-progress', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(ws.src, copied(ws))).toEqual([])
    expect(r.stderr).toContain('process succeed complete with exit code 0')
    // the copy ends long before the first 10 s tick: only the final report, with rsync's final counts
    const {current, total} = rsyncCounts(ws.src)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(current, total)])
    const [req] = srv.requests
    expect(req?.method).toBe('POST')
    expect(req?.url).toBe('/report')
    expect(req?.headers['content-type']).toBe('application/json')
    expect(r.stdout).toBe('')
  })

  test('-dest-dir -stderr -report-addr URL -src S -dest D: success sends nothing', async () => {
    const ws = workspace()
    const srv = await server()
    const r = await runCopy(['-dest-dir', '-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(ws.src, copied(ws))).toEqual([])
    expect(srv.requests).toEqual([])
  })

  test('-dest-dir -src S -dest D', async () => {
    const ws = workspace()
    const r = await runCopy(['-dest-dir', '-src', ws.src, '-dest', ws.dest], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(statSync(ws.dest).isDirectory()).toBe(true)
    expect(diffTrees(ws.src, copied(ws))).toEqual([])
    expect(r.stdout).toBe('')
  })

  test('-report-interval 1: a report every second from the start of the attempt, then the final one', async () => {
    const ws = workspace()
    const srv = await server()
    const samples: Array<[number, number]> = Array.from({length: 12}, (_, i) => [i + 1, 12])
    const fake = fakeRsync(ws.root, [{progress: samples, progressDelayMs: 350}])
    const r = await runCopy(['-progress', '-report-interval', '1', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {
      env: fake.env,
    })
    expect(r.code, r.stderr).toBe(0)
    const reports = srv.json()
    // ~4 s of attempt: periodic reports (ticks are coalesced while a POST is in flight) plus the final one
    expect(reports.length).toBeGreaterThanOrEqual(2)
    for (const rep of reports) expect(Object.keys(rep)).toEqual(['current_count', 'total_count', 'message', 'errcode', 'reason'])
    const counts = reports.map((rep) => rep.current_count as number)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    expect(srv.requests.at(-1)?.body.toString()).toBe(progressBody(12, 12))
  })
})
