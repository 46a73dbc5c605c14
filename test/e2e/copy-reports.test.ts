/**
 * The reports on the wire (spec §8.2, §8.3): the error report's bytes exactly
 * as the Go encoder wrote them, sent once, after the final progress report,
 * only when the run fails; and --dry-run sends nothing.
 */
import {existsSync, readdirSync} from 'node:fs'
import {afterAll, describe, expect, test} from 'vitest'
import type {CaptureServer} from '../helpers/capture-server.js'
import type {FakeStep} from '../helpers/fake-rsync.js'
import {makeSampleTree} from '../helpers/trees.js'
import {createScratch, progressBody, runCopy} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

async function setup(steps: FakeStep[]) {
  return {...scratch.withFake(steps, makeSampleTree), srv: await scratch.server()}
}

const bodies = (srv: CaptureServer) => srv.requests.map((r) => r.body.toString('utf8'))

const RSYNC_23 = 'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1338) [sender=3.5.0]\n'

describe.concurrent('error report (spec §8.2)', () => {
  test('bytes exactly as the Go encoder: key order, \\u003c \\u003e \\u0026, U+2028, invalid UTF-8 as \\ufffd', async () => {
    // rsync prints file names as raw bytes: invalid UTF-8 (ff, a lone continuation byte 80, a lead byte c3
    // before ASCII), <>&, a U+2028, é, a tab and a control byte
    const stderr = Buffer.concat([
      Buffer.from('rsync: [sender] send_files failed to open "/s/<a>&b'),
      Buffer.from([0xff, 0x80, 0xc3]),
      Buffer.from('.txt é\tx\u0001": Permission denied (13)\n'),
      Buffer.from('rsync: [sender] a line with a U+2028 (\u2028) and > no errno\n'),
      Buffer.from(RSYNC_23),
    ])
    const {ws, fake, srv} = await setup([
      {
        exit: 23,
        stderrHex: stderr.toString('hex'),
        progress: [
          [1, 4],
          [2, 4],
        ],
      },
    ])
    const r = await runCopy(
      ['-progress', '-stderr', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path],
      ws,
      {env: fake.env},
    )
    expect(r.code, r.stderr).toBe(13)
    expect(fake.invocations()).toHaveLength(1)
    const message =
      'rsync: [sender] send_files failed to open \\"/s/\\u003ca\\u003e\\u0026b\\ufffd\\ufffd\\ufffd.txt é\\tx\\u0001\\": Permission denied (13)\\n' +
      'rsync: [sender] a line with a U+2028 (\\u2028) and \\u003e no errno\\n' +
      RSYNC_23.replace('\n', '\\n')
    const expected = [progressBody(2, 4), `{"current_count":0,"total_count":0,"message":"${message}","errcode":13,"reason":"exit status 23"}`]
    expect(bodies(srv)).toEqual(expected)
    expect(Buffer.concat(srv.requests.map((q) => q.body)).equals(Buffer.from(expected.join(''), 'utf8'))).toBe(true)
    for (const q of srv.requests) {
      expect(q.method).toBe('POST')
      expect(q.headers['content-type']).toBe('application/json')
    }
  })

  test('the spec example: a fatal 23 (EACCES) → errcode 13, reason "exit status 23", message = rsync stderr', async () => {
    const stderr = `rsync: [sender] send_files failed to open "/s/secret": Permission denied (13)\n${RSYNC_23}`
    const {ws, fake, srv} = await setup([{exit: 23, stderr}])
    const r = await runCopy(['-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(13)
    expect(bodies(srv)).toEqual([`{"current_count":0,"total_count":0,"message":${JSON.stringify(stderr)},"errcode":13,"reason":"exit status 23"}`])
  })

  test('retry limit: one error report for the run (not one per attempt), after the final progress report, with the last attempt', async () => {
    const step = (n: number): FakeStep => ({exit: 11, stderr: `rsync: attempt ${n} broke (code 11)\n`, progress: [[n, 10]]})
    const {ws, fake, srv} = await setup([step(1), step(2), step(3)])
    const r = await runCopy(
      ['-progress', '-stderr', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path],
      ws,
      {env: fake.env},
    )
    expect(r.code, r.stderr).toBe(5)
    expect(fake.invocations()).toHaveLength(3)
    expect(bodies(srv)).toEqual([
      progressBody(3, 10),
      '{"current_count":0,"total_count":0,"message":"rsync: attempt 3 broke (code 11)\\n","errcode":5,"reason":"exit status 11"}',
    ])
  })

  test('message is the last 64 KiB of a long stderr', async () => {
    const lines = Array.from({length: 2000}, (_, i) => `rsync: [receiver] line ${String(i).padStart(4, '0')} of a long complaint ${'.'.repeat(20)}\n`)
    const stderr = lines.join('')
    expect(stderr.length).toBeGreaterThan(100 * 1024)
    const {ws, fake, srv} = await setup([{exit: 2, stderr}])
    const r = await runCopy(['-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code).toBe(255)
    const [report] = srv.json()
    expect(report?.message).toBe(stderr.slice(-64 * 1024))
  })

  test('killed by a signal: reason "signal: killed", errcode 255', async () => {
    const {ws, fake, srv} = await setup([{killSelf: 'SIGKILL'}])
    const r = await runCopy(['-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(255)
    expect(bodies(srv)).toEqual(['{"current_count":0,"total_count":0,"message":"","errcode":255,"reason":"signal: killed"}'])
  })

  test('rsync missing: reason is the Go start-failure text', async () => {
    const {ws, srv} = await setup([])
    const missing = `${ws.root}/bin/rsync`
    const r = await runCopy(['-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', missing], ws)
    expect(r.code, r.stderr).toBe(255)
    expect(srv.json()).toEqual([{current_count: 0, total_count: 0, message: '', errcode: 255, reason: `fork/exec ${missing}: no such file or directory`}])
  })

  test('a failure that recovers sends no error report (-stderr only: nothing at all)', async () => {
    const {ws, fake, srv} = await setup([{exit: 11, stderr: 'transient\n'}, {exit: 0}])
    const r = await runCopy(['-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(fake.invocations()).toHaveLength(2)
    expect(srv.requests).toEqual([])
  })

  test('-progress without -stderr: a failed run gets its final progress report, no error report', async () => {
    const {ws, fake, srv} = await setup([{exit: 3, stderr: 'rsync: [sender] link_stat "/x" failed (code 3)\n', progress: [[0, 7]]}])
    const r = await runCopy(['-progress', '-report-interval', '10', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {
      env: fake.env,
    })
    expect(r.code, r.stderr).toBe(2)
    expect(bodies(srv)).toEqual([progressBody(0, 7)])
  })

  test('a validation error sends nothing', async () => {
    const {ws, fake, srv} = await setup([{exit: 0}])
    const r = await runCopy(['-progress', '-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', 'relative/dest', '-rsync-path', fake.path], ws, {
      env: fake.env,
    })
    expect(r.code).toBe(22)
    expect(srv.requests).toEqual([])
  })
})

describe.concurrent('--dry-run', () => {
  test('real rsync gets --dry-run; nothing is copied, no report is sent', async () => {
    const {ws, srv} = await setup([])
    const r = await runCopy(
      ['-dest-dir', '-dry-run', '-progress', '-stderr', '-report-interval', '1', '-report-addr', srv.url, '-src', `${ws.src}/`, '-dest', ws.dest],
      ws,
    )
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(ws.dest) ? readdirSync(ws.dest) : []).toEqual([])
    expect(srv.requests).toEqual([])
  })

  test('the fake sees --dry-run before the -- guard; a failure in a dry run sends no error report', async () => {
    const {ws, fake, srv} = await setup([{exit: 23, stderr: 'rsync: [sender] send_files failed to open "/s/x": Permission denied (13)\n'}])
    const r = await runCopy(['--dry-run', '-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(13)
    const [argv] = fake.invocations().map((i) => i.argv)
    expect(argv).toBeDefined()
    expect(argv!.indexOf('--dry-run')).toBeGreaterThan(-1)
    expect(argv!.indexOf('--dry-run')).toBeLessThan(argv!.indexOf('--'))
    expect(srv.requests).toEqual([])
  })
})
