/** --parallel, --shard and --verify through core.runCopy in process, with real rsync. */
import {appendFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {diffTrees, leftovers, makeManyFiles, makeSampleTree, rsyncCounts} from '../helpers/trees.js'
import {harness, types, workspace} from './harness.js'

describe.concurrent('parallel and shards', () => {
  test('--parallel 3: three rsync processes, one start and one done event, every file copied once', async () => {
    const ws = workspace((src) => {
      makeSampleTree(src)
      makeManyFiles(join(src, 'many'), 300, 9)
    })
    const h = await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true, parallel: 3})
    const outcome = await h.run()
    expect(outcome.exitCode, outcome.reason).toBe(0)
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
    expect(leftovers(ws.dest)).toEqual([])
    expect(outcome.attempts).toHaveLength(3)
    expect(outcome.filesTransferred).toBe(rsyncCounts(`${ws.src}/`).current)
    expect(types(h.events).filter((t) => t === 'start' || t === 'done')).toEqual(['start', 'done'])
  })

  test('--parallel keeps a source without trailing slash as a directory inside dest', async () => {
    const ws = workspace()
    const outcome = await (await harness({src: ws.src, dest: ws.dest}, {destDir: true, parallel: 2})).run()
    expect(outcome.exitCode).toBe(0)
    expect(diffTrees(ws.src, join(ws.dest, 'src'))).toEqual([])
  })

  test("a shard's part does not depend on the rest of the tree", async () => {
    const ws = workspace((src) => makeManyFiles(join(src, 'many'), 50, 5))
    const first = await (await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true, shard: {index: 1, count: 4}})).run()
    expect(first.exitCode).toBe(0)
    const before = readdirSync(join(ws.dest, 'many/d0')).sort()
    expect(before.length).toBeGreaterThan(0)
    makeManyFiles(join(ws.src, 'more'), 40, 4)
    const again = `${ws.dest}-again`
    const second = await (await harness({src: `${ws.src}/`, dest: again}, {destDir: true, shard: {index: 1, count: 4}})).run()
    expect(second.exitCode).toBe(0)
    expect(readdirSync(join(again, 'many/d0')).sort()).toEqual(before)
  })
})

describe.concurrent('verify', () => {
  test('passes on a faithful copy: 0 mismatches', async () => {
    const ws = workspace()
    const outcome = await (await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true, verify: true})).run()
    expect(outcome.exitCode).toBe(0)
    expect(outcome.mismatches).toBe(0)
  })

  test('fails with 5 and counts the files that differ', async () => {
    // an "rsync" that copies with real rsync, then damages two files behind its back
    const ws = workspace()
    const wrapper = join(ws.root, 'damaging-rsync.sh')
    writeFileSync(
      wrapper,
      `#!/bin/sh\nrsync "$@" || exit $?\ncase "$*" in *--dry-run*) ;; *) printf x >> "${ws.dest}/top.txt"; printf y >> "${ws.dest}/a/one.bin";; esac\n`,
      {mode: 0o755},
    )
    appendFileSync(join(ws.src, 'top.txt'), '')
    const outcome = await (await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true, verify: true, rsyncPath: wrapper})).run()
    expect(outcome.exitCode).toBe(5)
    expect(outcome.mismatches).toBe(2)
    expect(outcome.reason).toContain('2 file(s) differ')
    expect(outcome.error).toMatchObject({code: 'E_VERIFY'})
  })
})
