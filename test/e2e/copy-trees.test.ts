/**
 * What rsync is asked to do (spec §5) and what lands on disk: the argv the
 * fake records, and real copies of awkward trees compared byte for byte.
 */
import {mkdirSync, readdirSync, renameSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {diffTrees, leftovers, makeSampleTree, snapshotTree} from '../helpers/trees.js'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

const setup = (fill: (src: string) => void = makeSampleTree) => scratch.withFake([{}], fill)

describe.concurrent('rsync argv (spec §5)', () => {
  test('-rlptgo --partial, only the end-of-run summary (--info=stats2) without -progress, then -- SRC DEST exactly as given', async () => {
    const {ws, fake} = setup()
    const r = await runCopy(['-src', `${ws.src}/`, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    const [call] = fake.invocations()
    expect(call!.argv).toEqual(['-rlptgo', '--partial', '--info=stats2', '--', `${ws.src}/`, ws.dest])
  })

  test('-progress adds --info=progress2 before the -- guard', async () => {
    const {ws, fake} = setup()
    const r = await runCopy(['-progress', '-report-addr', 'http://127.0.0.1:9/r', '-src', ws.src, '-dest', `${ws.dest}/`, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    const [call] = fake.invocations()
    expect(call!.argv).toEqual(['-rlptgo', '--partial', '--info=progress2', '--', ws.src, `${ws.dest}/`])
  })

  test.each([['-v'], ['--verbose'], ['-i'], ['--itemize-changes'], ['-vH']])('rsync.extraArgs %s is refused (22): file names on stdout would read as progress', async (arg) => {
    const {ws, fake} = setup()
    writeConfig(ws, `rsync:\n  extraArgs: [${JSON.stringify(arg)}]\n`)
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code).toBe(22)
    expect(r.stderr).toContain('rsync.extraArgs[0]')
    expect(fake.invocations()).toEqual([])
  })

  test('allowed rsync.extraArgs go between the options and the -- guard', async () => {
    const {ws, fake} = setup()
    writeConfig(ws, 'rsync:\n  extraArgs: [--bwlimit=50m, "--exclude=*.tmp", -HAX]\n')
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    const [call] = fake.invocations()
    expect(call!.argv).toEqual(['-rlptgo', '--partial', '--info=stats2', '--bwlimit=50m', '--exclude=*.tmp', '-HAX', '--', ws.src, ws.dest])
  })

  test('rsync runs in its own process group with stdin from /dev/null, every attempt with the same argv', async () => {
    const {ws, fake} = scratch.withFake([{exit: 11}, {exit: 0}])
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    const calls = fake.invocations()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.argv).toEqual(calls[0]!.argv)
    for (const c of calls) {
      expect(c.pgid).toBe(c.pid)
      expect(c.stdin).toBe('/dev/null')
    }
  })
})

describe.concurrent('real copies (spec §3 paths, §5)', () => {
  test('spaces, unicode and leading dashes in the src and dest paths themselves', async () => {
    const {ws} = setup()
    const src = join(ws.root, '-src dir ünï 日本')
    renameSync(ws.src, src)
    const dest = join(ws.root, 'out', '--dést with spaces')
    const r = await runCopy(['-dest-dir', '-src', `${src}/`, '-dest', dest], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(src, dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
  })

  test('src with a trailing slash copies its contents; without, the directory itself', async () => {
    const {ws} = setup()
    const withSlash = join(ws.root, 'out/with')
    const without = join(ws.root, 'out/without')
    const a = await runCopy(['-dest-dir', '-src', `${ws.src}/`, '-dest', withSlash], ws)
    const b = await runCopy(['-dest-dir', '-src', ws.src, '-dest', without], ws)
    expect([a.code, b.code]).toEqual([0, 0])
    expect(diffTrees(ws.src, withSlash)).toEqual([])
    expect(readdirSync(without)).toEqual([basename(ws.src)])
    expect(diffTrees(ws.src, join(without, basename(ws.src)))).toEqual([])
  })

  test('a second run over a complete copy changes nothing and leaves no rsync temp file', async () => {
    const {ws} = setup()
    const first = await runCopy(['-dest-dir', '-src', `${ws.src}/`, '-dest', ws.dest, '--json'], ws)
    expect(first.code, first.stderr).toBe(0)
    const before = snapshotTree(ws.dest)
    const second = await runCopy(['-dest-dir', '-src', `${ws.src}/`, '-dest', ws.dest, '--json'], ws)
    expect(second.code, second.stderr).toBe(0)
    expect((JSON.parse(second.stdout) as {filesTransferred: number}).filesTransferred).toBe(0)
    expect(snapshotTree(ws.dest)).toEqual(before)
    expect(leftovers(ws.dest)).toEqual([])
  })

  test('an existing dest with other files: new and changed files copied, others kept (no --delete)', async () => {
    const {ws} = setup()
    mkdirSync(ws.dest, {recursive: true})
    writeFileSync(join(ws.dest, 'only-in-dest.txt'), 'keep')
    writeFileSync(join(ws.dest, 'top.txt'), 'stale content that differs')
    const r = await runCopy(['-src', `${ws.src}/`, '-dest', ws.dest], ws)
    expect(r.code, r.stderr).toBe(0)
    const diffs = diffTrees(ws.src, ws.dest)
    expect(diffs).toEqual(['extra: only-in-dest.txt'])
  })

  test('a single file as src', async () => {
    const {ws} = setup()
    mkdirSync(ws.dest, {recursive: true})
    const r = await runCopy(['-src', join(ws.src, 'big.dat'), '-dest', `${ws.dest}/`], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(ws.dest)).toEqual(['big.dat'])
  })

  test('a missing src is caught by the mount check before rsync: 2 (ENOENT), the seed message', async () => {
    const {ws, fake} = setup()
    const r = await runCopy(['-src', join(ws.root, 'no-such-src'), '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain('occur a error when check src or dest is mounted ,err: ')
    expect(fake.invocations()).toEqual([])
  })

  test('a missing src directory that rsync meets (mount checks off): rsync 23 ENOENT, retried, exit 2', async () => {
    const {ws} = setup()
    writeConfig(ws, 'mountChecks: []\n')
    const r = await runCopy(['-dest-dir', '-src', `${join(ws.root, 'no-such-src')}/`, '-dest', ws.dest, '--json'], ws)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain('No such file or directory (2)')
    expect((JSON.parse(r.stdout) as {attempts: Array<{code: number}>}).attempts.map((a) => a.code)).toEqual([23, 23, 23])
    expect(readdirSync(ws.dest)).toEqual([])
  })
})
