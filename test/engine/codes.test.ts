/**
 * Every row of the seed's code table (spec §6) and the errno refinements,
 * through core.runCopy with the fake rsync and the default retry policy:
 * the exit code, how many times rsync ran, the log lines and the outcome.
 */
import {describe, expect, test} from 'vitest'
import {MSG_MAX_RETRY, MSG_SUCCEED, MSG_UNRECOVERABLE} from '../../src/core/codes/messages.js'
import type {FakeStep} from '../helpers/fake-rsync.js'
import {withFake} from './harness.js'

async function run(steps: FakeStep[]) {
  const {fake, h} = await withFake(steps)
  const outcome = await h.run()
  return {outcome, runs: fake.invocations().length, log: h.log.lines.join('\n')}
}

const tail = (code: number) => `rsync error: fake failure (code ${code}) at main.c(1) [sender=3.5.0]\n`

type Row = [code: number, exit: number, cls: string, runs: number]
const ROWS: Row[] = [
  [1, 22, 'usage', 1],
  [4, 22, 'usage', 1],
  [3, 2, 'fatal', 1],
  [2, 255, 'fatal', 1],
  [5, 255, 'fatal', 1],
  ...[10, 11, 12, 13].map((c): Row => [c, 5, 'retryable', 3]),
  [23, 13, 'partial', 3],
  ...[14, 15, 16, 19, 20, 21, 22, 25, 30, 35, 124, 125, 126, 127].map((c): Row => [c, 255, 'retryable', 3]),
  [99, 255, 'retryable', 3],
]

describe.concurrent('seed code table (spec §6), default policy', () => {
  test('0: one attempt, exit 0, the seed success line, counts from the progress', async () => {
    const {outcome, runs, log} = await run([{exit: 0, progress: [[2, 3]]}])
    expect(outcome.exitCode).toBe(0)
    expect(runs).toBe(1)
    expect(log).toContain(MSG_SUCCEED)
    expect(log).not.toContain(MSG_UNRECOVERABLE)
    expect(outcome).toMatchObject({class: 'ok', filesTransferred: 2, filesTotal: 3, stderrTail: ''})
    expect(outcome.attempts).toHaveLength(1)
    expect(outcome.attempts[0]).toMatchObject({code: 0, reason: 'exit status 0', filesTransferred: 2, bytes: 2048})
    expect(outcome.error).toBeUndefined()
  })

  test.each(ROWS)('rsync %i → exit %i (%s), rsync ran %i time(s)', async (code, exit, cls, times) => {
    const {outcome, runs, log} = await run([{exit: code, stderr: tail(code)}])
    expect(outcome.exitCode).toBe(exit)
    expect(outcome.class).toBe(cls)
    expect(runs).toBe(times)
    const message = times === 1 ? MSG_UNRECOVERABLE : MSG_MAX_RETRY
    expect(log).toContain(message)
    expect(log).not.toContain(times === 1 ? MSG_MAX_RETRY : MSG_UNRECOVERABLE)
    expect(log).not.toContain(MSG_SUCCEED)
    expect(outcome.error?.message).toBe(`${message}: exit status ${code}`)
    expect(outcome.stderrTail).toBe(tail(code))
    expect(outcome.attempts).toHaveLength(times)
    for (const a of outcome.attempts) expect(a).toMatchObject({code, reason: `exit status ${code}`, filesTransferred: 0, bytes: 0})
    if (times > 1) {
      // retry log lines: attempt n/N, the reason and the stderr tail
      expect(log).toMatch(new RegExp(`attempt 1/3 failed: exit status ${code}.*fake failure \\(code ${code}\\)`, 's'))
      expect(log).toMatch(/attempt 2\/3 failed/)
    }
  })

  test('killed by a signal every time → code -1, "signal: killed", retried, 255', async () => {
    const {outcome, runs, log} = await run([{killSelf: 'SIGKILL'}])
    expect(outcome.exitCode).toBe(255)
    expect(runs).toBe(3)
    expect(log).toContain(MSG_MAX_RETRY)
    expect(outcome.attempts.map((a) => [a.code, a.reason])).toEqual(Array(3).fill([-1, 'signal: killed']))
  })

  test('killed by SIGTERM → "signal: terminated"', async () => {
    const {outcome} = await run([{killSelf: 'SIGTERM'}, {exit: 0}])
    expect(outcome.exitCode).toBe(0)
    expect(outcome.attempts.map((a) => a.reason)).toEqual(['signal: terminated', 'exit status 0'])
  })

  test('a retryable failure that recovers: 11, 0 → exit 0 after two attempts', async () => {
    const {outcome, runs, log} = await run([
      {exit: 11, stderr: tail(11)},
      {exit: 0, progress: [[1, 1]]},
    ])
    expect(outcome.exitCode).toBe(0)
    expect(runs).toBe(2)
    expect(outcome.attempts.map((a) => a.code)).toEqual([11, 0])
    expect(log).toContain(MSG_SUCCEED)
    expect(log).not.toContain(MSG_MAX_RETRY)
  })
})

const line = (errno: number, text: string) => `rsync: [receiver] write failed on "/dest/x": ${text} (${errno})\n`

describe.concurrent('errno refinement from rsync stderr (spec §6)', () => {
  test.each([
    // code, stderr, exit, runs
    [11, 'rsync: [receiver] write failed on "/d/big": No space left on device (28)\nrsync: [sender] write error: Broken pipe (32)\n', 28, 1],
    [11, line(122, 'Disk quota exceeded'), 28, 1],
    [23, 'rsync: [receiver] mkstemp "/d/.f1.txt.FH5ypD" failed: Read-only file system (30)\n', 30, 1],
    [11, 'rsync: [Receiver] mkdir "/ro/dst" failed: Read-only file system (30)\n', 30, 1],
    [3, 'rsync: [Receiver] ERROR: cannot stat destination "/d/aaaa": File name too long (36)\n', 36, 1],
    [23, 'rsync: [sender] send_files failed to open "/s/secret": Permission denied (13)\n', 13, 1],
    [11, 'rsync: [Receiver] mkdir "/d/x" failed: Operation not permitted (1)\n', 13, 1],
    [23, 'rsync: [sender] change_dir "/x" failed: No such file or directory (2)\n', 2, 3],
    [11, line(5, 'Input/output error'), 5, 3],
    [23, line(16, 'Device or resource busy'), 16, 3],
    [11, line(116, 'Stale file handle'), 5, 3],
    // several errnos: the most severe fatal one wins
    [23, `${line(13, 'Permission denied')}${line(30, 'Read-only file system')}${line(2, 'No such file or directory')}`, 30, 1],
    // only 3, 11 and 23 are refined
    [12, line(28, 'No space left on device'), 5, 3],
  ])('rsync %i with %j → exit %i, rsync ran %i time(s)', async (code, stderr, exit, times) => {
    const {outcome, runs, log} = await run([{exit: code, stderr: `${stderr}rsync error: (code ${code}) at io.c(1) [receiver=3.5.0]\n`}])
    expect(outcome.exitCode).toBe(exit)
    expect(runs).toBe(times)
    expect(log).toContain(times === 1 ? MSG_UNRECOVERABLE : MSG_MAX_RETRY)
    expect(outcome.attempts.every((a) => a.reason === `exit status ${code}`)).toBe(true)
  })
})

describe.concurrent('vanished source files (rsync 24, spec §6)', () => {
  test('24, 24, 11, 24, 0 → exit 0; only the 11 counts', async () => {
    const {outcome, runs, log} = await run([{exit: 24}, {exit: 24}, {exit: 11, stderr: tail(11)}, {exit: 24}, {exit: 0}])
    expect(outcome.exitCode).toBe(0)
    expect(runs).toBe(5)
    expect(outcome.attempts.map((a) => a.code)).toEqual([24, 24, 11, 24, 0])
    expect(log).toContain(MSG_SUCCEED)
    expect(log).toMatch(/not counted/)
  })

  test('11, 11, 24, 11 → the limit is reached on the third counted attempt (24 does not count)', async () => {
    const {outcome, runs, log} = await run([{exit: 11}, {exit: 11}, {exit: 24}, {exit: 11}, {exit: 0}])
    expect(outcome.exitCode).toBe(5)
    expect(runs).toBe(4)
    expect(log).toContain(MSG_MAX_RETRY)
  })
})
