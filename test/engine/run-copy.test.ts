/**
 * core.runCopy in process (no CLI start-up): real rsync on small temp trees,
 * and the fake rsync for sequences real rsync cannot be made to produce.
 */
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {MSG_MAX_RETRY} from '../../src/core/codes/messages.js'
import type {CopyEvent, RunSettings} from '../../src/plugin-api.js'
import type {CopyRequest} from '../../src/core/run/copy.js'
import {diffTrees, leftovers, snapshotTree} from '../helpers/trees.js'
import {waitFor} from '../helpers/wait.js'
import {harness, regularFiles, types, withFake, workspace} from './harness.js'

describe('runCopy with real rsync', () => {
  test('copies a tree byte for byte; events start → attempt → done with real counts', async () => {
    const ws = workspace()
    const h = await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true})
    const outcome = await h.run()
    expect(outcome.exitCode, outcome.reason).toBe(0)
    expect(outcome.class).toBe('ok')
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
    expect(leftovers(ws.dest)).toEqual([])
    expect(types(h.events)).toEqual(['start', 'attempt-start', 'attempt-end', 'done'])
    const files = regularFiles(ws.src)
    expect(outcome.filesTransferred).toBe(files)
    expect(h.events.at(-1)).toMatchObject({type: 'done', exitCode: 0, class: 'ok', filesTransferred: files})
    expect(outcome.attempts.map((a) => a.code)).toEqual([0])
  })

  test('a second run over a complete copy transfers nothing and changes nothing', async () => {
    const ws = workspace()
    expect((await (await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true})).run()).exitCode).toBe(0)
    const before = snapshotTree(ws.dest)
    const again = await (await harness({src: `${ws.src}/`, dest: ws.dest})).run()
    expect(again.exitCode).toBe(0)
    expect(again.filesTransferred).toBe(0)
    expect(snapshotTree(ws.dest)).toEqual(before)
  })

  test('src without a trailing slash copies the directory itself; dest keeps files rsync does not know', async () => {
    const ws = workspace()
    mkdirSync(ws.dest)
    writeFileSync(join(ws.dest, 'only-in-dest.txt'), 'keep')
    const outcome = await (await harness({src: ws.src, dest: ws.dest})).run()
    expect(outcome.exitCode).toBe(0)
    expect(readdirSync(ws.dest).sort()).toEqual(['only-in-dest.txt', 'src'])
    expect(diffTrees(ws.src, join(ws.dest, 'src'))).toEqual([])
  })

  test('a single file as src lands in an existing dest dir', async () => {
    const ws = workspace()
    mkdirSync(ws.dest)
    const outcome = await (await harness({src: join(ws.src, 'big.dat'), dest: `${ws.dest}/`})).run()
    expect(outcome.exitCode).toBe(0)
    expect(readdirSync(ws.dest)).toEqual(['big.dat'])
    expect(outcome.filesTransferred).toBe(1)
  })

  test('an rsync binary that does not exist: the Go start-failure text on every attempt, exit 255', async () => {
    const ws = workspace()
    mkdirSync(ws.dest)
    const missing = join(ws.root, 'no/such/rsync')
    const outcome = await (await harness({src: `${ws.src}/`, dest: ws.dest}, {rsyncPath: missing})).run()
    expect(outcome.exitCode).toBe(255)
    expect(outcome.attempts.map((a) => [a.code, a.reason])).toEqual(Array(3).fill([-11, `fork/exec ${missing}: no such file or directory`]))
    expect(readdirSync(ws.dest)).toEqual([])
  })

  test('dry run copies nothing', async () => {
    const ws = workspace()
    mkdirSync(ws.dest)
    const outcome = await (await harness({src: `${ws.src}/`, dest: ws.dest, dryRun: true})).run()
    expect(outcome.exitCode).toBe(0)
    expect(readdirSync(ws.dest)).toEqual([])
  })

  test('a src rsync cannot find (mount checks off): 23 on every counted attempt, exit 2, the error says so', async () => {
    const ws = workspace()
    mkdirSync(ws.dest)
    const h = await harness({src: join(ws.root, 'no-such-src/'), dest: ws.dest}, {}, {mountChecks: false})
    const outcome = await h.run()
    expect(outcome.exitCode).toBe(2)
    expect(outcome.attempts.map((a) => a.code)).toEqual([23, 23, 23])
    expect(outcome.stderrTail).toContain('No such file or directory (2)')
    expect(outcome.error).toMatchObject({code: 'E_RSYNC'})
    expect(outcome.error?.message).toContain(MSG_MAX_RETRY)
    expect(types(h.events)).toEqual([
      'start',
      'attempt-start',
      'attempt-end',
      'retry',
      'attempt-start',
      'attempt-end',
      'retry',
      'attempt-start',
      'attempt-end',
      'done',
    ])
    expect(Buffer.concat(h.stderr).toString()).toContain('No such file or directory')
  })

  test('the statfs mount check stops a missing src before rsync: 2, no events', async () => {
    const ws = workspace()
    const h = await harness({src: join(ws.root, 'no-such-src'), dest: ws.dest})
    await expect(h.run()).rejects.toMatchObject({exitCode: 2})
    expect(h.events).toEqual([])
  })

  test.each<[string, Partial<RunSettings>, Partial<CopyRequest>]>([
    ['a relative src', {src: 'rel/', dest: '/tmp/x'}, {}],
    ['--progress without a report address', {src: '/a/', dest: '/b', progress: true}, {}],
    ['a refused extra arg', {src: '/a/', dest: '/b'}, {extraArgs: ['-v']}],
  ])('%s is a usage error (22) before anything runs', async (_, settings, request) => {
    const h = await harness(settings, request)
    await expect(h.run()).rejects.toMatchObject({exitCode: 22})
    expect(h.events).toEqual([])
  })
})

describe('runCopy with the fake rsync', () => {
  test('24, 24, 11, 0: vanished retries uncounted, 11 counted, exit 0 with the same argv every time', async () => {
    const {fake, h} = await withFake([{exit: 24}, {exit: 24}, {exit: 11, stderr: 'rsync error: error in file IO (code 11)\n'}, {exit: 0}])
    const outcome = await h.run()
    expect(outcome.exitCode).toBe(0)
    expect(outcome.attempts.map((a) => [a.code, a.class])).toEqual([
      [24, 'vanished'],
      [24, 'vanished'],
      [11, 'retryable'],
      [0, 'ok'],
    ])
    expect(h.events.filter((e) => e.type === 'retry').map((e) => (e as {counted: boolean}).counted)).toEqual([false, false, true])
    const calls = fake.invocations()
    expect(calls).toHaveLength(4)
    for (const c of calls) expect(c.argv).toEqual(calls[0]!.argv)
    expect(calls[0]!.argv.slice(-3)).toEqual(['--', expect.stringMatching(/\/src\/$/), expect.stringMatching(/\/dest$/)])
  })

  test('24 every time: the first attempt plus vanishedRetries (5), exit 0 with a warning', async () => {
    const {fake, h} = await withFake([{exit: 24, stderr: 'file has vanished: "/src/f1"\n'}])
    const outcome = await h.run()
    expect(outcome.exitCode).toBe(0)
    expect(outcome.class).toBe('vanished')
    expect(outcome.attempts).toHaveLength(6)
    expect(fake.invocations()).toHaveLength(6)
    expect(outcome.warnings.join('\n')).toMatch(/vanished/)
  })

  test("11 every time: three counted attempts, then the last attempt's exit code", async () => {
    const {h} = await withFake([{exit: 11, stderr: 'rsync: write failed on "/d/f": Input/output error (5)\n'}])
    const outcome = await h.run()
    expect(outcome.attempts.map((a) => a.code)).toEqual([11, 11, 11])
    expect(outcome.exitCode).toBe(outcome.attempts.at(-1)!.exitCode)
    expect(outcome.exitCode).not.toBe(0)
    expect(outcome.error?.message).toContain(MSG_MAX_RETRY)
    expect(outcome.stderrTail).toContain('Input/output error (5)')
  })

  test('rsync killed by a signal: retried, the attempt says which signal', async () => {
    const {h} = await withFake([{killSelf: 'SIGKILL'}, {exit: 0}])
    const outcome = await h.run()
    expect(outcome.exitCode).toBe(0)
    expect(outcome.attempts.map((a) => [a.code, a.reason])).toEqual([
      [-1, 'signal: killed'],
      [0, 'exit status 0'],
    ])
  })

  test('rsync 1 (syntax or usage) is not retried', async () => {
    const {fake, h} = await withFake([{exit: 1, stderr: 'rsync: syntax or usage error (code 1)\n'}])
    const outcome = await h.run()
    expect(fake.invocations()).toHaveLength(1)
    expect(outcome.class).toBe('usage')
    expect(outcome.exitCode).toBe(outcome.attempts[0]!.exitCode)
  })

  test('live progress for a reporter that wants it: --info=progress2 and the counters in events, the last one kept', async () => {
    const {fake, h} = await withFake(
      [
        {
          progress: [
            [1, 5],
            [3, 5],
            [5, 5],
          ],
          progressDelayMs: 150,
        },
      ],
      {},
      {},
      {wantsProgress: true},
    )
    const outcome = await h.run()
    expect(outcome.exitCode).toBe(0)
    expect(fake.invocations()[0]!.argv).toContain('--info=progress2')
    const progress = h.events.filter((e) => e.type === 'progress') as Array<Extract<CopyEvent, {type: 'progress'}>>
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({attempt: 1, filesTransferred: 5, filesTotal: 5})
  })

  test('without live progress rsync is asked for its end-of-run summary only', async () => {
    const {fake, h} = await withFake([{}])
    await h.run()
    expect(fake.invocations()[0]!.argv.slice(0, 3)).toEqual(['-rlptgo', '--partial', '--info=stats2'])
  })

  test('rsync gets stdin from /dev/null, its own process group and no TRANSPORTER_* variables', async () => {
    const {fake, h} = await withFake([{}])
    process.env.TRANSPORTER_SECRET_PROBE = 'x'
    try {
      await h.run()
    } finally {
      delete process.env.TRANSPORTER_SECRET_PROBE
    }
    const [call] = fake.invocations()
    expect(call!.stdin).toBe('/dev/null')
    expect(call!.pgid).toBe(call!.pid)
    expect(call!.environ.some((v) => v.startsWith('TRANSPORTER_'))).toBe(false)
  })

  test('a stop mid-attempt: no further attempts, exit 143, class interrupted, done still emitted', async () => {
    const {fake, h} = await withFake([{sleepMs: 30_000, exit: 11}], {}, {graceMs: 500})
    const running = h.run()
    await waitFor(() => fake.invocations().length === 1 && h.events.some((e) => e.type === 'attempt-start'), 'the first attempt')
    h.stop.stop('SIGTERM')
    const outcome = await running
    expect(outcome.exitCode).toBe(143)
    expect(outcome.class).toBe('interrupted')
    expect(fake.invocations()).toHaveLength(1)
    expect(h.events.at(-1)).toMatchObject({type: 'done', exitCode: 143})
  })
})
