/**
 * Validation before anything touches the disk (spec §3), in order, with the
 * seed's messages and exit 22; then --dest-dir and a report server that is down.
 */
import {existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {startCaptureServer} from '../helpers/capture-server.js'
import {diffTrees, listTree, makeSampleTree, type Workspace} from '../helpers/trees.js'
import {createScratch, runCopy} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

const setup = () => scratch.withFake([{}], makeSampleTree)

const SRC_DEST = 'src path or dest path is empty or not absolute path'
const PARTNER = "missing required partner flag('progress' or 'stderr' miss partner 'report-addr')"
const REPORT_ADDR = 'report addr is unavailable'

type Case = [what: string, argv: (ws: Workspace) => string[], messages: string[]]

// Every rule and their order are checked in process (test/unit/validate.test.ts);
// here one case per kind shows the CLI stops with 22 before anything is created.
const cases: Case[] = [
  ['no src', (ws) => ['-dest', ws.dest], [SRC_DEST, 'src=""']],
  ['newline in src', (ws) => ['-src', `${ws.src}\nrm -rf /`, '-dest', ws.dest], ['control character']],
  ['rsync:// src', (ws) => ['-src', 'rsync://host/module/data', '-dest', ws.dest], ['remote endpoints', 'not supported']],
  ['-stderr without -report-addr', (ws) => ['-stderr', '-src', ws.src, '-dest', ws.dest], [PARTNER, '--stderr']],
  ['ftp:// report addr', (ws) => ['-progress', '-report-addr', 'ftp://x/report', '-src', ws.src, '-dest', ws.dest], [REPORT_ADDR, '"ftp://x/report"']],
  // order (spec §3): paths before partners before the URL
  ['relative src and a missing partner: paths first', () => ['-progress', '-src', 'rel', '-dest', '/tmp/x'], [SRC_DEST]],
]

describe.concurrent('validation (spec §3): exit 22, the seed message, nothing created', () => {
  test.each(cases)('%s', async (_what, argv, messages) => {
    const {ws, fake} = setup()
    const r = await runCopy(['-dest-dir', '-rsync-path', fake.path, ...argv(ws)], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(22)
    for (const m of messages) expect(r.stderr).toContain(m)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stdout).toBe('')
    expect(fake.invocations()).toEqual([])
    expect(existsSync(ws.dest)).toBe(false)
    expect(listTree(join(ws.root, 'out'))).toEqual([])
  })

  test('the paths message is the seed text, then both values', async () => {
    const {ws} = setup()
    const r = await runCopy(['-src', 'a b', '-dest', '/x'], ws)
    expect(r.code).toBe(22)
    expect(r.stderr).toContain(`${SRC_DEST} (src="a b", dest="/x")`)
  })
})

describe('--dest-dir (spec §1.2, §3 step 5)', () => {
  test('creates every missing level with mode 0775 & ~umask, then copies into it', async () => {
    const {ws} = setup()
    const dest = join(ws.root, 'out/a/b/c')
    // the child inherits the umask at spawn time
    const old = process.umask(0o002)
    const run = runCopy(['-dest-dir', '-src', `${ws.src}/`, '-dest', dest], ws)
    process.umask(old)
    const r = await run
    expect(r.code, r.stderr).toBe(0)
    for (const dir of ['out/a', 'out/a/b']) expect((statSync(join(ws.root, dir)).mode & 0o777).toString(8)).toBe('775')
    expect(diffTrees(ws.src, dest)).toEqual([])
  })

  test('with the usual umask 022 the new directories are 0755', async () => {
    const {ws} = setup()
    const dest = join(ws.root, 'out/x/y')
    const old = process.umask(0o022)
    const run = runCopy(['-dest-dir', '-src', ws.src, '-dest', dest], ws)
    process.umask(old)
    const r = await run
    expect(r.code, r.stderr).toBe(0)
    expect((statSync(join(ws.root, 'out/x')).mode & 0o777).toString(8)).toBe('755')
  })

  test('dest exists and is a file → 255, the file untouched, rsync never started', async () => {
    const {ws, fake} = setup()
    mkdirSync(join(ws.root, 'out'), {recursive: true})
    writeFileSync(ws.dest, 'keep me')
    const r = await runCopy(['-dest-dir', '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(255)
    expect(r.stderr).toContain('not a directory')
    expect(fake.invocations()).toEqual([])
    expect(statSync(ws.dest).isFile()).toBe(true)
  })

  test('a path component is a file → 255', async () => {
    const {ws, fake} = setup()
    writeFileSync(join(ws.root, 'out/file'), 'x')
    const r = await runCopy(['-dest-dir', '-src', ws.src, '-dest', join(ws.root, 'out/file/dest'), '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(255)
    expect(fake.invocations()).toEqual([])
  })

  test('without --dest-dir a missing dest parent is rsync’s error, not created by transporter', async () => {
    const {ws} = setup()
    const dest = join(ws.root, 'out/missing/dest')
    const r = await runCopy(['-src', ws.src, '-dest', dest], ws)
    expect(r.code).not.toBe(0)
    expect(existsSync(join(ws.root, 'out/missing'))).toBe(false)
  })
})

describe('the report server is never a reason to fail', () => {
  test('server down: the copy succeeds (exit 0), the tree is complete, a warning says reports were lost', async () => {
    const {ws} = setup()
    const srv = await startCaptureServer()
    const url = srv.url
    await srv.close() // nothing listens on that port any more
    const r = await runCopy(['-dest-dir', '-progress', '-stderr', '-report-interval', '1', '-report-addr', url, '-src', `${ws.src}/`, '-dest', ws.dest], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
    expect(r.stderr).toContain(url)
  })

  test('server answers 500: still exit 0', async () => {
    const {ws} = setup()
    const srv = await startCaptureServer({status: 500})
    try {
      const r = await runCopy(['-dest-dir', '-progress', '-report-addr', srv.url, '-src', `${ws.src}/`, '-dest', ws.dest], ws)
      expect(r.code, r.stderr).toBe(0)
      expect(srv.requests.length).toBeGreaterThanOrEqual(1)
      expect(diffTrees(ws.src, ws.dest)).toEqual([])
    } finally {
      await srv.close()
    }
  })
})
