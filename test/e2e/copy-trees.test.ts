/**
 * What rsync is asked to do (spec §5) and what lands on disk, through the CLI:
 * the argv the fake records, and real copies compared byte for byte. Trailing
 * slashes, repeated runs, an existing dest and a src rsync cannot find are
 * copied in process in test/engine/run-copy.test.ts.
 */
import {mkdirSync, readdirSync, renameSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {diffTrees, leftovers, makeSampleTree} from '../helpers/trees.js'
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
    const r = await runCopy(['-progress', '-report-addr', 'http://127.0.0.1:9/r', '-src', ws.src, '-dest', `${ws.dest}/`, '-rsync-path', fake.path], ws, {
      env: fake.env,
    })
    expect(r.code, r.stderr).toBe(0)
    const [call] = fake.invocations()
    expect(call!.argv).toEqual(['-rlptgo', '--partial', '--info=progress2', '--', ws.src, `${ws.dest}/`])
  })

  test.each([['-v'], ['-vH']])('rsync.extraArgs %s is refused (22): file names on stdout would read as progress', async (arg) => {
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
})
