/**
 * Spec §9: what rsync's listing of the source cannot read is what it would be
 * in a plain copy (rsync's error, the rest still copied), never an abort
 * before copying; a listing that dies fails the run before anything is copied.
 * rsync runs as root without the capabilities that bypass file permissions,
 * so a 0000 directory is unreadable to it as it would be to any other user.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import type {CopyRequest} from '../../src/core/run/copy.js'
import type {CopyOutcome} from '../../src/core/run/outcome.js'
import {diffTrees, leftovers, listTree, type Workspace} from '../helpers/trees.js'
import {harness, workspace} from './harness.js'

const exact = {allTimes: true, hardLinks: true}

/** An rsync that may not bypass permissions (and, when `dieOnListing`, is killed while it lists the source). */
function limitedRsync(ws: Workspace, dieOnListing = false): string {
  const path = join(ws.root, dieOnListing ? 'rsync-dies-listing' : 'rsync-limited')
  const die = dieOnListing ? 'case " $* " in *" --list-only "*) kill -KILL $$ ;; esac\n' : ''
  writeFileSync(path, `#!/bin/sh\n${die}exec setpriv --bounding-set=-dac_override,-dac_read_search /usr/bin/rsync "$@"\n`, {mode: 0o755})
  return path
}

function fill(src: string): void {
  mkdirSync(join(src, 'a'))
  for (let i = 0; i < 20; i++) writeFileSync(join(src, `a/f${i}`), `file ${i}\n`)
  mkdirSync(join(src, 'locked'))
  writeFileSync(join(src, 'locked/secret'), 'unreadable\n')
  chmodSync(join(src, 'locked'), 0o000)
  // a path of more than 4096 bytes: 20 components of 250 bytes, made from inside (an absolute path that long fails)
  const deep = `process.chdir(process.argv[1]); for (let i = 0; i < 20; i++) { const d = String(i).padStart(250, '0'); fs.mkdirSync(d); process.chdir(d) } fs.writeFileSync('f', 'deep')`
  execFileSync(process.execPath, ['-e', deep, src])
}

describe('entries the listing cannot read', () => {
  let ws: Workspace
  let plain: CopyOutcome
  const copy = (dest: string, request: Partial<CopyRequest>) =>
    harness({src: `${ws.src}/`, dest}, {destDir: true, rsyncPath: limitedRsync(ws), ...request}).then((h) => h.run())

  beforeAll(async () => {
    ws = workspace(fill)
    plain = await copy(join(ws.root, 'out/plain'), {})
  })
  // Node's rm cannot reach below 4096 bytes of path; rm(1) walks down relative to each directory
  afterAll(() => execFileSync('rm', ['-rf', ws.root]))

  test('the plain copy reports the unreadable directory and copies the rest', () => {
    expect(plain.exitCode, plain.reason).toBe(13)
    expect(listTree(join(ws.root, 'out/plain'))).toEqual(expect.arrayContaining(['a/f0', 'a/f19', 'locked']))
  })

  test.each([2, 4])('--parallel %i: the same code, the same tree', async (parallel) => {
    const dest = join(ws.root, `out/parallel-${parallel}`)
    const outcome = await copy(dest, {parallel})
    expect(outcome.exitCode, outcome.reason).toBe(plain.exitCode)
    expect(diffTrees(join(ws.root, 'out/plain'), dest, exact)).toEqual([])
    expect(leftovers(dest)).toEqual([])
  })

  test('three concurrent shards: the most severe code is the plain copy’s, the union is its tree', async () => {
    const dest = join(ws.root, 'out/shards')
    const outcomes = await Promise.all([0, 1, 2].map((index) => copy(dest, {shard: {index, count: 3}})))
    expect(Math.max(...outcomes.map((o) => o.exitCode))).toBe(plain.exitCode)
    expect(diffTrees(join(ws.root, 'out/plain'), dest, exact)).toEqual([])
  })

  test('a listing killed from outside fails the run before anything is copied', async () => {
    const dest = join(ws.root, 'out/listing-killed')
    const h = await harness({src: `${ws.src}/`, dest}, {destDir: true, rsyncPath: limitedRsync(ws, true), parallel: 2})
    await expect(h.run()).rejects.toMatchObject({exitCode: 255, message: expect.stringContaining("rsync's listing of the source failed")})
    expect(listTree(dest)).toEqual([])
  })
})

describe('a source that holds one file, into a dest that does not exist yet', () => {
  test.each([
    ['--parallel 2', [{parallel: 2}]],
    ['two shards at once', [{shard: {index: 0, count: 2}}, {shard: {index: 1, count: 2}}]],
  ] as Array<[string, Array<Partial<CopyRequest>>]>)('%s: dest is a directory holding it, as in a plain copy', async (_, requests) => {
    const ws = workspace((src) => {
      writeFileSync(join(src, 'only'), 'one file\n')
      // old times: a dest whose times nobody set cannot match them by luck of the clock
      utimesSync(join(src, 'only'), 1_000_000_000, 1_000_000_000)
      utimesSync(src, 1_000_000_000, 1_000_000_000)
    })
    const plainDest = join(ws.root, 'plain')
    expect((await (await harness({src: `${ws.src}/`, dest: plainDest})).run()).exitCode).toBe(0)
    const dest = join(ws.root, 'split')
    const outcomes = await Promise.all(requests.map((r) => harness({src: `${ws.src}/`, dest}, r).then((h) => h.run())))
    expect(outcomes.map((o) => o.exitCode)).toEqual(requests.map(() => 0))
    expect(diffTrees(plainDest, dest, exact)).toEqual([])
  })
})

describe('a split copy into a dest that does not exist yet (no --dest-dir)', () => {
  test('dest is made once before the workers and shards start, so none of their rsyncs races another to create it', async () => {
    const ws = workspace((src) => {
      for (const d of ['a', 'b', 'c', 'd']) {
        mkdirSync(join(src, d))
        for (let i = 0; i < 5; i++) writeFileSync(join(src, d, `f${i}`), `${d}${i}\n`)
      }
    })
    // every copying rsync notes whether dest was there when it started
    const seen = join(ws.root, 'seen')
    const wrapper = join(ws.root, 'rsync-notes-dest')
    const dest = join(ws.root, 'out/dest')
    const note = `case " $* " in *" --list-only "*) ;; *) if [ -d "${dest}" ]; then echo there >> "${seen}"; else echo missing >> "${seen}"; fi ;; esac`
    writeFileSync(wrapper, `#!/bin/sh\n${note}\nexec rsync "$@"\n`, {mode: 0o755})
    const outcomes = await Promise.all(
      [{parallel: 4}, {shard: {index: 0, count: 2}}, {shard: {index: 1, count: 2}}].map((r) =>
        harness({src: `${ws.src}/`, dest}, {rsyncPath: wrapper, ...r}).then((h) => h.run()),
      ),
    )
    expect(outcomes.map((o) => o.exitCode)).toEqual([0, 0, 0])
    const notes = readFileSync(seen, 'utf8').trim().split('\n')
    expect(notes.length).toBeGreaterThanOrEqual(4)
    expect(new Set(notes)).toEqual(new Set(['there']))
    expect(diffTrees(ws.src, dest, {allTimes: true})).toEqual([])
  })
})
