/**
 * Spec §9: a split copy's counts mean what a plain copy's mean. Every worker's
 * rsync counts `.` and the directories its list implies; the run's final
 * `filesTransferred`/`filesTotal` (what `done` and `--json` carry) and every
 * progress total must still be the plain copy's.
 */
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import type {CopyRequest} from '../../src/core/run/copy.js'
import {makeManyFiles, makeSampleTree, type Workspace} from '../helpers/trees.js'
import {harness, workspace} from './harness.js'

async function counted(ws: Workspace, dest: string, request: Partial<CopyRequest>, progress: boolean, src = `${ws.src}/`) {
  const h = await harness({src, dest}, {destDir: true, ...request}, {wantsProgress: progress})
  const outcome = await h.run()
  expect(outcome.exitCode, outcome.reason).toBe(0)
  const samples = h.events.flatMap((e) => (e.type === 'progress' ? [e] : []))
  const done = h.events.find((e) => e.type === 'done')
  return {
    filesTransferred: outcome.filesTransferred,
    filesTotal: outcome.filesTotal,
    done: done?.type === 'done' ? [done.filesTransferred, done.filesTotal] : undefined,
    maxTotal: Math.max(0, ...samples.map((s) => s.filesTotal)),
    maxTransferred: Math.max(0, ...samples.map((s) => s.filesTransferred)),
  }
}

const tree = (src: string) => {
  makeSampleTree(src)
  makeManyFiles(join(src, 'many'), 100, 10)
}

describe.concurrent.each([
  ['with progress (progress2)', true],
  ['without progress (the stats summary)', false],
])('split counts %s', (_, progress) => {
  test.each([
    ['src/', true],
    ['src', false],
  ])('--parallel 4 and 4 shards count as a plain copy, source %s', async (__, slash) => {
    const ws = workspace(tree)
    const src = slash ? `${ws.src}/` : ws.src
    const plain = await counted(ws, join(ws.root, 'out/plain'), {}, progress, src)
    expect(plain.filesTransferred).toBeGreaterThan(100)
    expect(plain.done).toEqual([plain.filesTransferred, plain.filesTotal])

    const parallel = await counted(ws, join(ws.root, 'out/parallel'), {parallel: 4}, progress, src)
    expect([parallel.filesTransferred, parallel.filesTotal]).toEqual([plain.filesTransferred, plain.filesTotal])
    expect(parallel.done).toEqual([plain.filesTransferred, plain.filesTotal])
    expect(parallel.maxTotal).toBeLessThanOrEqual(plain.filesTotal)
    expect(parallel.maxTransferred).toBeLessThanOrEqual(plain.filesTransferred)

    // the shards' counts add up to the plain copy's: shard 0 counts the directories, each shard its own files
    const shards = []
    for (const index of [0, 1, 2, 3]) shards.push(await counted(ws, join(ws.root, 'out/shards'), {shard: {index, count: 4}, parallel: 2}, progress, src))
    expect(shards.reduce((n, s) => n + s.filesTransferred, 0)).toBe(plain.filesTransferred)
    expect(shards.reduce((n, s) => n + s.filesTotal, 0)).toBe(plain.filesTotal)
    for (const s of shards) expect(s.maxTotal).toBeLessThanOrEqual(s.filesTotal)
  })
})
