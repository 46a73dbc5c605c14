/**
 * Progress (spec §8.1): real rsync on 10,000 files, the stock and legacy
 * line forms, lines that are not progress, counters per attempt.
 */
import {basename, join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import type {FakeStep} from '../helpers/fake-rsync.js'
import {diffTrees, makeManyFiles} from '../helpers/trees.js'
import {createScratch, progressBody, runCopy} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

async function setup(steps: FakeStep[], fill: (src: string) => void = () => {}) {
  return {...scratch.withFake(steps, fill), srv: await scratch.server()}
}

type Report = {current_count: number; total_count: number}

function expectMonotonic(reports: Report[]): void {
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.current_count).toBeGreaterThanOrEqual(reports[i - 1]!.current_count)
    expect(reports[i]!.total_count).toBeGreaterThanOrEqual(reports[i - 1]!.total_count)
  }
}

const FILES = 10_000
const DIRS = 20

// alone: writing and copying 10,000 files should not compete with the short runs
describe('progress of a real copy', () => {
  test(`real rsync, ${FILES} small files, -progress -report-interval 1: monotonic reports ending at rsync's final counts`, async () => {
    const {ws, srv} = await setup([], (src) => makeManyFiles(src, FILES, DIRS))
    const r = await runCopy(['-dest-dir', '-progress', '-report-interval', '1', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '--json'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(ws.src, join(ws.dest, basename(ws.src)))).toEqual([])
    const reports = srv.json() as Report[]
    expect(reports.length).toBeGreaterThanOrEqual(1)
    expectMonotonic(reports)
    // rsync counts: xfr# = regular files sent; to-chk total = every file-list entry (the files, the DIRS dirs, src itself)
    expect(srv.requests.at(-1)?.body.toString()).toBe(progressBody(FILES, FILES + DIRS + 1))
    const json = JSON.parse(r.stdout) as {filesTransferred: number; filesTotal: number}
    expect(json).toMatchObject({filesTransferred: FILES, filesTotal: FILES + DIRS + 1})
  })
})

describe.concurrent('counts without live progress (spec §7.1: the end-of-run summary)', () => {
  test('real rsync, 300 files, no -progress and no terminal: --json has the real counts from --info=stats2', async () => {
    const files = 300
    const {ws} = await setup([], (src) => makeManyFiles(src, files, 3))
    const r = await runCopy(['-dest-dir', '-src', `${ws.src}/`, '-dest', ws.dest, '--json'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
    let bytes = 0
    for (let i = 0; i < files; i++) bytes += `${i}\n`.length
    const json = JSON.parse(r.stdout) as {filesTransferred: number; filesTotal: number; bytes: number; attempts: Array<{filesTransferred: number; bytes: number}>}
    // the total counts the 3 dirs and src itself, as progress2's to-chk total does
    expect(json).toMatchObject({filesTransferred: files, filesTotal: files + 3 + 1, bytes})
    expect(json.attempts).toMatchObject([{filesTransferred: files, bytes}])
  })

  test('the summary\'s numbers with thousands separators are read whole', async () => {
    const stdout =
      '\nNumber of files: 12,345 (reg: 12,000, dir: 345)\nNumber of created files: 12,345 (reg: 12,000, dir: 345)\n' +
      'Number of deleted files: 0\nNumber of regular files transferred: 1,234\nTotal file size: 9,876,543 bytes\n' +
      'Total transferred file size: 1,048,576 bytes\nLiteral data: 1,048,576 bytes\nMatched data: 0 bytes\n\n' +
      'sent 1,050,000 bytes  received 23,456 bytes  2,146,912.00 bytes/sec\ntotal size is 9,876,543  speedup is 9.20\n'
    const {ws, fake} = await setup([{stdout}])
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path, '--json'], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({filesTransferred: 1234, filesTotal: 12345, bytes: 1_048_576})
  })
})

describe.concurrent('progress line forms and reports', () => {
  test('the patched rsync\'s N-M lines (empty N = 0) are parsed', async () => {
    const {ws, fake, srv} = await setup([{legacy: [[null, 10], [3, 10], [7, 12], [12, 12]], progressDelayMs: 100}])
    const r = await runCopy(['-progress', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path, '--json'], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(12, 12)])
  })

  test('ir-chk totals that grow, then to-chk: the last update wins', async () => {
    const stdout =
      '\r      1,024 100%    1.00MB/s    0:00:00 (xfr#1, ir-chk=1000/1010)' +
      '\r      4,096 100%    1.00MB/s    0:00:00 (xfr#4, ir-chk=1100/1190)' +
      '\r      5,120 100%    1.00MB/s    0:00:00 (xfr#5, to-chk=0/1200)\n'
    const {ws, fake, srv} = await setup([{stdout}])
    const r = await runCopy(['-progress', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(5, 1200)])
  })

  test('lines that are not progress are ignored, never a crash (the Go tool died on them)', async () => {
    const junk =
      'sending incremental file list\n' +
      'skipping non-regular file "fifo"\n' +
      'skipping non-regular file "sock"\n' +
      '-\n--5\n5-\n1-2-3\nabc-12\n 12-x\n' +
      `${'x'.repeat(20_000)}\n` +
      '\r(xfr#, to-chk=/)\r(xfr#9, to-chk=1)\n'
    const {ws, fake, srv} = await setup([{stdout: junk, legacy: [[2, 4]], stdoutHex: Buffer.from([0xff, 0xfe, 0x0a, 0x00, 0x0a]).toString('hex')}])
    const r = await runCopy(['-progress', '-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(2, 4)])
  })

  test('counters restart on each attempt: the final report has the last attempt\'s counts', async () => {
    const {ws, fake, srv} = await setup([
      {exit: 11, progress: [[5, 10]]},
      {exit: 0, progress: [[2, 3]]},
    ])
    const r = await runCopy(['-progress', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path, '--json'], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(2, 3)])
    const json = JSON.parse(r.stdout) as {attempts: Array<{filesTransferred: number}>}
    expect(json.attempts.map((a) => a.filesTransferred)).toEqual([5, 2])
  })

  test('-report-interval 0 means 5 s, not a flood: a 2 s attempt sends only the final report', async () => {
    const {ws, fake, srv} = await setup([{progress: [[1, 2]], sleepMs: 2000}])
    const r = await runCopy(['-progress', '-report-interval', '0', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(1, 2)])
  })

  test('a huge -report-interval (34 days) means no periodic report, not a flood', async () => {
    const {ws, fake, srv} = await setup([{progress: [[1, 2]], sleepMs: 1000}])
    const r = await runCopy(['-progress', '-report-interval', '3000000', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(1, 2)])
    expect(r.stderr).not.toContain('TimeoutOverflowWarning')
  })

  test('a periodic report is sent while rsync prints nothing new (the current counters, unchanged)', async () => {
    const {ws, fake, srv} = await setup([{progress: [[1, 2]], sleepMs: 3500}])
    const r = await runCopy(['-progress', '-report-interval', '1', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    const bodies = srv.requests.map((q) => q.body.toString())
    expect(bodies.length).toBeGreaterThanOrEqual(2)
    expect(new Set(bodies)).toEqual(new Set([progressBody(1, 2)]))
  })
})
