/** rsync stderr that is not plain text: error report bytes as Go wrote them, errnos still found. */
import {afterAll, expect, test} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../helpers/capture-server.js'
import {fakeRsync, type FakeStep} from '../helpers/fake-rsync.js'
import {cleanup, makeWorkspace, type Workspace} from '../helpers/trees.js'
import {runCopy} from './copy-helpers.js'

const spaces: Workspace[] = []
const servers: CaptureServer[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  cleanup(...spaces.map((w) => w.root))
})

async function errorReport(steps: FakeStep[]) {
  const ws = makeWorkspace(() => {})
  spaces.push(ws)
  const srv = await startCaptureServer()
  servers.push(srv)
  const fake = fakeRsync(ws.root, steps)
  const r = await runCopy(['-stderr', '-report-addr', srv.url, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
  return {r, bodies: srv.requests.map((q) => q.body.toString('utf8')), runs: fake.invocations().length}
}

test('a truncated UTF-8 sequence (e2 82) is two invalid bytes, as Go encodes them: \\ufffd\\ufffd', async () => {
  const stderr = Buffer.concat([Buffer.from('rsync: x "'), Buffer.from([0xe2, 0x82]), Buffer.from('." (code 12)\n')])
  const {bodies} = await errorReport([{exit: 12, stderrHex: stderr.toString('hex')}])
  expect(bodies.at(-1)).toBe(
    '{"current_count":0,"total_count":0,"message":"rsync: x \\"\\ufffd\\ufffd.\\" (code 12)\\n","errcode":5,"reason":"exit status 12"}',
  )
})

test('a U+2028 in a file name does not hide the errno of its line (EACCES is fatal 13, not retried)', async () => {
  const {r, runs} = await errorReport([{exit: 23, stderr: 'rsync: [sender] send_files failed to open "/s/a\u2028b": Permission denied (13)\n'}])
  expect(r.code).toBe(13)
  expect(runs).toBe(1)
})
