/**
 * Progress (spec §8.1) through the CLI and over HTTP: real rsync on 10,000
 * files, the legacy line form (periodic reports through the CLI: copy-legacy;
 * unchanged counters re-sent: the http reporter's tests). Every line form, junk lines,
 * counters per attempt and the summary's numbers are checked in process
 * (test/engine/progress.test.ts, test/unit/progress.test.ts); the interval
 * rules in test/unit/copy-settings.test.ts and the http reporter's tests.
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
    const json = JSON.parse(r.stdout) as {
      filesTransferred: number
      filesTotal: number
      bytes: number
      attempts: Array<{filesTransferred: number; bytes: number}>
    }
    // the total counts the 3 dirs and src itself, as progress2's to-chk total does
    expect(json).toMatchObject({filesTransferred: files, filesTotal: files + 3 + 1, bytes})
    expect(json.attempts).toMatchObject([{filesTransferred: files, bytes}])
  })
})

describe.concurrent('progress line forms and reports', () => {
  test("the patched rsync's N-M lines (empty N = 0) are parsed", async () => {
    const {ws, fake, srv} = await setup([
      {
        legacy: [
          [null, 10],
          [3, 10],
          [7, 12],
          [12, 12],
        ],
        progressDelayMs: 100,
      },
    ])
    const r = await runCopy(
      ['-progress', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path, '--json'],
      ws,
      {env: fake.env},
    )
    expect(r.code, r.stderr).toBe(0)
    expect(srv.requests.map((q) => q.body.toString())).toEqual([progressBody(12, 12)])
  })
})
