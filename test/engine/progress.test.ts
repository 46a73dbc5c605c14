/**
 * rsync's stdout through core.runCopy (spec §8.1): the line forms, lines that
 * are not progress, counters per attempt, and the end-of-run summary. The fake
 * rsync prints; a reporter that wants progress records the events.
 */
import {describe, expect, test} from 'vitest'
import type {CopyEvent} from '../../src/plugin-api.js'
import type {FakeStep} from '../helpers/fake-rsync.js'
import {withFake} from './harness.js'

type Progress = Extract<CopyEvent, {type: 'progress'}>

async function run(steps: FakeStep[]) {
  const {h} = await withFake(steps, {}, {}, {wantsProgress: true})
  const outcome = await h.run()
  const progress = h.events.filter((e): e is Progress => e.type === 'progress')
  const last = progress.at(-1)
  return {outcome, progress, last: last && {attempt: last.attempt, filesTransferred: last.filesTransferred, filesTotal: last.filesTotal}}
}

describe.concurrent('progress line forms', () => {
  test("the patched rsync's N-M lines (empty N = 0)", async () => {
    const {outcome, progress, last} = await run([
      {
        legacy: [
          [null, 10],
          [3, 10],
          [7, 12],
          [12, 12],
        ],
        progressDelayMs: 120,
      },
    ])
    expect(outcome.exitCode).toBe(0)
    expect(progress[0]).toMatchObject({filesTransferred: 0, filesTotal: 10})
    expect(last).toEqual({attempt: 1, filesTransferred: 12, filesTotal: 12})
  })

  test('ir-chk totals that grow, then to-chk: the last update wins', async () => {
    const stdout =
      '\r      1,024 100%    1.00MB/s    0:00:00 (xfr#1, ir-chk=1000/1010)' +
      '\r      4,096 100%    1.00MB/s    0:00:00 (xfr#4, ir-chk=1100/1190)' +
      '\r      5,120 100%    1.00MB/s    0:00:00 (xfr#5, to-chk=0/1200)\n'
    const {last} = await run([{stdout}])
    expect(last).toEqual({attempt: 1, filesTransferred: 5, filesTotal: 1200})
  })

  test('lines that are not progress are ignored, never a crash (the Go tool died on them)', async () => {
    const junk =
      'sending incremental file list\n' +
      'skipping non-regular file "fifo"\n' +
      'skipping non-regular file "sock"\n' +
      '-\n--5\n5-\n1-2-3\nabc-12\n 12-x\n' +
      `${'x'.repeat(20_000)}\n` +
      '\r(xfr#, to-chk=/)\r(xfr#9, to-chk=1)\n'
    const {outcome, progress, last} = await run([{stdout: junk, legacy: [[2, 4]], stdoutHex: Buffer.from([0xff, 0xfe, 0x0a, 0x00, 0x0a]).toString('hex')}])
    expect(outcome.exitCode).toBe(0)
    expect(progress.map((p) => [p.filesTransferred, p.filesTotal])).toEqual([[2, 4]])
    expect(last).toEqual({attempt: 1, filesTransferred: 2, filesTotal: 4})
  })

  test('counters restart on each attempt; the outcome sums the attempts', async () => {
    const {outcome, progress, last} = await run([
      {exit: 11, progress: [[5, 10]]},
      {exit: 0, progress: [[2, 3]]},
    ])
    expect(outcome.exitCode).toBe(0)
    expect(progress.find((p) => p.attempt === 1)).toMatchObject({filesTransferred: 5, filesTotal: 10})
    expect(last).toEqual({attempt: 2, filesTransferred: 2, filesTotal: 3})
    expect(outcome.attempts.map((a) => a.filesTransferred)).toEqual([5, 2])
    expect(outcome).toMatchObject({filesTransferred: 7, filesTotal: 3})
  })
})

describe('the end-of-run summary (--info=stats2)', () => {
  test("the summary's numbers with thousands separators are read whole", async () => {
    const stdout =
      '\nNumber of files: 12,345 (reg: 12,000, dir: 345)\nNumber of created files: 12,345 (reg: 12,000, dir: 345)\n' +
      'Number of deleted files: 0\nNumber of regular files transferred: 1,234\nTotal file size: 9,876,543 bytes\n' +
      'Total transferred file size: 1,048,576 bytes\nLiteral data: 1,048,576 bytes\nMatched data: 0 bytes\n\n' +
      'sent 1,050,000 bytes  received 23,456 bytes  2,146,912.00 bytes/sec\ntotal size is 9,876,543  speedup is 9.20\n'
    const {h} = await withFake([{stdout}])
    const outcome = await h.run()
    expect(outcome).toMatchObject({exitCode: 0, filesTransferred: 1234, filesTotal: 12345, bytes: 1_048_576})
    expect(h.events.at(-1)).toMatchObject({type: 'done', filesTransferred: 1234, filesTotal: 12345, bytes: 1_048_576})
  })
})
