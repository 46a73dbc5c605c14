/**
 * The seed's code table (spec §6) through the whole CLI, one case per way it
 * reaches the user: the exit code, the seed's log message on stderr and the
 * --json result (spec §8.4). Every row, errno and retry sequence is checked in
 * process in test/engine/codes.test.ts.
 */
import {afterAll, describe, expect, test} from 'vitest'
import type {FakeStep} from '../helpers/fake-rsync.js'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

const setup = (steps: FakeStep[]) => scratch.withFake(steps)

const MAX_RETRY = 'retry limit has been reached, but still get an error(can be recovered)'
const UNRECOVERABLE = 'return a unrecoverable error'
const SUCCEED = 'process succeed complete with exit code 0'

interface JsonAttempt {
  code: number
  reason: string
  durationMs: number
  filesTransferred: number
  bytes: number
}
interface JsonResult {
  exitCode: number
  class: string
  attempts: JsonAttempt[]
  filesTransferred: number
  filesTotal: number
  bytes: number
  durationMs: number
  stderrTail: string
}

/** Runs a copy against the fake with --json; stdout must hold exactly one object. */
async function run(steps: FakeStep[], extra: string[] = []) {
  const {ws, fake} = setup(steps)
  const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path, '--json', ...extra], ws, {env: fake.env})
  const json = JSON.parse(r.stdout) as JsonResult
  return {r, json, runs: fake.invocations().length}
}

const tail = (code: number) => `rsync error: fake failure (code ${code}) at main.c(1) [sender=3.5.0]\n`

type Row = [code: number, exit: number, cls: string, runs: number]
const ROWS: Row[] = [
  [1, 22, 'usage', 1],
  [11, 5, 'retryable', 3],
]

describe.concurrent('seed code table (spec §6), default policy', () => {
  test('0: one attempt, exit 0, the seed success line', async () => {
    const {r, json, runs} = await run([{exit: 0, progress: [[2, 3]]}])
    expect(r.code, r.stderr).toBe(0)
    expect(runs).toBe(1)
    expect(r.stderr).toContain(SUCCEED)
    expect(r.stderr).not.toContain(UNRECOVERABLE)
    expect(json).toMatchObject({exitCode: 0, class: 'ok', filesTransferred: 2, filesTotal: 3, stderrTail: ''})
    expect(json.attempts).toHaveLength(1)
    expect(json.attempts[0]).toMatchObject({code: 0, reason: 'exit status 0', filesTransferred: 2, bytes: 2048})
    // the fields spec §8.4 names, all present
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['exitCode', 'class', 'attempts', 'filesTransferred', 'filesTotal', 'bytes', 'durationMs', 'stderrTail']),
    )
    expect(Object.keys(json.attempts[0]!)).toEqual(expect.arrayContaining(['code', 'reason', 'durationMs', 'filesTransferred', 'bytes']))
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
  })

  test.each(ROWS)('rsync %i → exit %i (%s), rsync ran %i time(s)', async (code, exit, cls, times) => {
    const {r, json, runs} = await run([{exit: code, stderr: tail(code)}])
    expect(r.code, r.stderr).toBe(exit)
    expect(runs).toBe(times)
    expect(r.stderr).toContain(times === 1 ? UNRECOVERABLE : MAX_RETRY)
    expect(r.stderr).not.toContain(times === 1 ? MAX_RETRY : UNRECOVERABLE)
    expect(r.stderr).not.toContain(SUCCEED)
    // the seed's stderr reached the user (echoed) and the result
    expect(r.stderr).toContain(tail(code).trim())
    expect(json.exitCode).toBe(exit)
    expect(json.class).toBe(cls)
    expect(json.stderrTail).toBe(tail(code))
    expect(json.attempts).toHaveLength(times)
    for (const a of json.attempts) {
      expect(a).toMatchObject({code, reason: `exit status ${code}`, filesTransferred: 0, bytes: 0})
      expect(typeof a.durationMs).toBe('number')
    }
    if (times > 1) {
      // retry log lines: attempt n/N, the reason and the stderr tail
      expect(r.stderr).toMatch(new RegExp(`attempt 1/3 failed: exit status ${code}.*fake failure \\(code ${code}\\)`))
      expect(r.stderr).toMatch(/attempt 2\/3 failed/)
    }
  })

  test('rsync binary missing → the Go start-failure text, retried, 255', async () => {
    const ws = scratch.workspace(() => {})
    const missing = `${ws.root}/no/such/rsync`
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', missing, '--json'], ws)
    expect(r.code, r.stderr).toBe(255)
    const json = JSON.parse(r.stdout) as JsonResult
    expect(json.attempts).toHaveLength(3)
    expect(json.attempts[0]?.reason).toBe(`fork/exec ${missing}: no such file or directory`)
    expect(r.stderr).toContain(`fork/exec ${missing}: no such file or directory`)
    expect(r.stderr).toContain(MAX_RETRY)
  })
})

const line = (errno: number, text: string) => `rsync: [receiver] write failed on "/dest/x": ${text} (${errno})\n`

describe.concurrent('errno refinement from rsync stderr (spec §6)', () => {
  test.each([
    // code, stderr, exit, runs
    [11, 'rsync: [receiver] write failed on "/d/big": No space left on device (28)\nrsync: [sender] write error: Broken pipe (32)\n', 28, 1],
    [23, line(2, 'No such file or directory'), 2, 3],
  ])('rsync %i with %j → exit %i, rsync ran %i time(s)', async (code, stderr, exit, times) => {
    const {r, json, runs} = await run([{exit: code, stderr: `${stderr}rsync error: (code ${code}) at io.c(1) [receiver=3.5.0]\n`}])
    expect(r.code, r.stderr).toBe(exit)
    expect(json.exitCode).toBe(exit)
    expect(runs).toBe(times)
    expect(r.stderr).toContain(times === 1 ? UNRECOVERABLE : MAX_RETRY)
    expect(json.attempts.every((a) => a.reason === `exit status ${code}`)).toBe(true)
  })
})

describe.concurrent('vanished source files (rsync 24, spec §6)', () => {
  test("retry option vanished: 'fail' turns 24 forever into 255 after the same bound", async () => {
    const {ws, fake} = setup([{exit: 24}])
    writeConfig(ws, 'retry: [default, {vanished: fail}]\n')
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(255)
    expect(fake.invocations()).toHaveLength(6)
  })

  test('24 forever stops after 5 uncounted retries: exit 0 with a warning, never a hang', async () => {
    const {r, json, runs} = await run([{exit: 24, stderr: 'file has vanished: "/src/f1"\n'}])
    expect(r.code, r.stderr).toBe(0)
    expect(runs).toBe(6)
    expect(json.attempts).toHaveLength(6)
    expect(r.stderr).toMatch(/WARN.*vanished/)
    expect((json as unknown as {warnings: string[]}).warnings.length).toBeGreaterThan(0)
  })
})
