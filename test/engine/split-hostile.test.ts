/**
 * Spec §9: a split copy leaves dest exactly as a plain copy would. One
 * hostile tree (symlink loop, links to dirs and nowhere, non-UTF-8 names, a
 * FIFO, 0555 directories, a hard-link pair, a sparse file) is copied plain,
 * with --parallel 2 and 4, and as four concurrent shards into one dest; every
 * result is compared with the plain copy, directory and link mtimes included.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, test} from 'vitest'
import type {CopyOutcome} from '../../src/core/run/outcome.js'
import type {CopyRequest} from '../../src/core/run/copy.js'
import {diffTrees, leftovers, makeHostileTree, type Workspace} from '../helpers/trees.js'
import {harness, workspace} from './harness.js'

const exact = {allTimes: true, hardLinks: true}

function copy(ws: Workspace, dest: string, request: Partial<CopyRequest>, src = `${ws.src}/`): Promise<CopyOutcome> {
  return harness({src, dest}, {destDir: true, ...request}).then((h) => h.run())
}

describe.each([
  ['src/', true],
  ['src', false],
])('a hostile tree, source given as %s', (_, slash) => {
  let ws: Workspace
  let plain: CopyOutcome
  const reference = () => join(ws.root, 'out/plain')
  const src = () => (slash ? `${ws.src}/` : ws.src)
  // without the trailing slash the copy is dest/src; dest itself is not the source's
  const top = (dest: string) => (slash ? dest : join(dest, 'src'))

  beforeAll(async () => {
    ws = workspace(makeHostileTree)
    plain = await copy(ws, reference(), {}, src())
  })

  test('the plain copy succeeds and is the reference', () => {
    expect(plain.exitCode, plain.reason).toBe(0)
    // no -D: rsync skips the FIFO; no -H: the hard-link pair becomes two files; everything else is there
    expect(diffTrees(ws.src, top(reference()), {allTimes: true, ignore: (rel) => rel === 'fifo'})).toEqual([])
  })

  test.each([2, 4])('--parallel %i equals the plain copy', async (parallel) => {
    const dest = join(ws.root, `out/parallel-${parallel}`)
    const outcome = await copy(ws, dest, {parallel}, src())
    expect(outcome.exitCode, outcome.reason).toBe(plain.exitCode)
    expect(diffTrees(top(reference()), top(dest), exact)).toEqual([])
    expect(leftovers(dest)).toEqual([])
  })

  test('four concurrent shards into one dest equal the plain copy', async () => {
    const dest = join(ws.root, 'out/shards')
    const outcomes = await Promise.all([0, 1, 2, 3].map((index) => copy(ws, dest, {shard: {index, count: 4}}, src())))
    expect(outcomes.map((o) => o.exitCode)).toEqual([0, 1, 2, 3].map(() => plain.exitCode))
    expect(diffTrees(top(reference()), top(dest), exact)).toEqual([])
    expect(leftovers(dest)).toEqual([])
  })

  test('-H: --parallel 4 and four concurrent shards keep the hard-link pair, as a plain -H copy does', async () => {
    const hard = {extraArgs: ['-H']}
    const ref = join(ws.root, 'out/plain-H')
    const first = await copy(ws, ref, hard, src())
    expect(first.exitCode, first.reason).toBe(0)
    expect(diffTrees(ws.src, top(ref), {...exact, ignore: (rel) => rel === 'fifo'})).toEqual([])
    const parallel = join(ws.root, 'out/parallel-H')
    expect((await copy(ws, parallel, {...hard, parallel: 4}, src())).exitCode).toBe(0)
    expect(diffTrees(top(ref), top(parallel), exact)).toEqual([])
    const shards = join(ws.root, 'out/shards-H')
    const outcomes = await Promise.all([0, 1, 2, 3].map((index) => copy(ws, shards, {...hard, shard: {index, count: 4}}, src())))
    expect(outcomes.map((o) => o.exitCode)).toEqual([0, 0, 0, 0])
    expect(diffTrees(top(ref), top(shards), exact)).toEqual([])
  })

  test('four shards one after the other, each with --parallel 2, equal the plain copy', async () => {
    const dest = join(ws.root, 'out/shards-sequential')
    for (const index of [3, 1, 0, 2]) {
      const outcome = await copy(ws, dest, {shard: {index, count: 4}, parallel: 2}, src())
      expect(outcome.exitCode, outcome.reason).toBe(plain.exitCode)
    }
    expect(diffTrees(top(reference()), top(dest), exact)).toEqual([])
  })
})

describe('the directory attribute pass', () => {
  test.each([
    ['--parallel 2', {parallel: 2}, '+ */'],
    ['--shard 0/2', {shard: {index: 0, count: 2}}, '- *'],
  ])('%s: a failing pass is the run error with its errno, not a warning', async (_, request, marker) => {
    const ws = workspace(makeHostileTree)
    // real rsync for the copy; the pass (which filters out every file) fails as a utimes EPERM would
    const wrapper = join(ws.root, 'failing-dir-pass.sh')
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$*" in *"--filter=${marker}"*)\n` +
        `echo 'rsync: [generator] failed to set times on "${ws.dest}/.": Operation not permitted (1)' >&2\n` +
        `echo 'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1338) [generator=3.5.0]' >&2\n` +
        `exit 23;; esac\nexec rsync "$@"\n`,
      {mode: 0o755},
    )
    const outcome = await copy(ws, ws.dest, {...request, rsyncPath: wrapper})
    expect(outcome.exitCode).toBe(13)
    expect(outcome.reason).toContain('directory attribute pass')
    expect(outcome.error?.message).toContain('directory attribute pass')
  })
})
