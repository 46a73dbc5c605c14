import {appendFileSync, existsSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../helpers/capture-server.js'
import {cleanup, diffTrees, leftovers, makeManyFiles, makeSampleTree, makeWorkspace, rsyncCounts, type Workspace} from '../helpers/trees.js'
import {runCopy} from './copy-helpers.js'

const spaces: Workspace[] = []
const servers: CaptureServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
  cleanup(...spaces.splice(0).map((w) => w.root))
})

function workspace(fill?: (src: string) => void): Workspace {
  const ws = makeWorkspace((src) => {
    makeSampleTree(src)
    fill?.(src)
  })
  spaces.push(ws)
  return ws
}

describe('copy --parallel', () => {
  it('copies the whole tree with N rsync processes and one summed report stream', async () => {
    const ws = workspace((src) => makeManyFiles(join(src, 'many'), 600, 12))
    const server = await startCaptureServer()
    servers.push(server)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--parallel', '3', '--progress', '--report-addr', server.url, '--json'], ws)
    expect(r.stderr).not.toContain('retrying')
    expect(r.code).toBe(0)
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
    expect(leftovers(ws.dest)).toEqual([])
    const result = JSON.parse(r.stdout) as {attempts: unknown[]; filesTransferred: number}
    expect(result.attempts).toHaveLength(3)
    // every file is transferred by exactly one worker: the sum is what a single rsync counts
    expect(result.filesTransferred).toBe(rsyncCounts(`${ws.src}/`).current)
    const last = server.json().at(-1)!
    expect(last.current_count).toBe(result.filesTransferred)
  })

  it('keeps a source without trailing slash as a directory inside dest', async () => {
    const ws = workspace()
    const r = await runCopy(['copy', '--src', ws.src, '--dest', ws.dest, '--dest-dir', '--parallel', '2'], ws)
    expect(r.code).toBe(0)
    expect(diffTrees(ws.src, join(ws.dest, 'src'))).toEqual([])
  })

  it('refuses a parallelism below 1 as a usage error', async () => {
    const ws = workspace()
    const r = await runCopy(['copy', '--src', ws.src, '--dest', ws.dest, '--parallel', '0'], ws)
    expect(r.code).toBe(22)
    expect(existsSync(ws.dest)).toBe(false)
  })
})

describe('copy --shard', () => {
  it('N shards together copy the tree exactly once, with no overlap', async () => {
    const ws = workspace((src) => makeManyFiles(join(src, 'many'), 300, 7))
    const outs = [0, 1, 2].map((i) => `${ws.dest}-${i}`)
    const runs = await Promise.all(outs.map((out, i) => runCopy(['copy', '--src', `${ws.src}/`, '--dest', out, '--dest-dir', '--shard', `${i}/3`, '--json'], ws)))
    for (const r of runs) expect(r.code).toBe(0)
    const counts = runs.map((r) => (JSON.parse(r.stdout) as {filesTransferred: number}).filesTransferred)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(rsyncCounts(`${ws.src}/`).current)
    for (const c of counts) expect(c).toBeGreaterThan(0)
    // the same shards into one destination: the union equals a single copy
    for (const [i] of outs.entries()) {
      const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--shard', `${i}/3`], ws)
      expect(r.code).toBe(0)
    }
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
  })

  it('the partition does not depend on the rest of the tree', async () => {
    const ws = workspace((src) => makeManyFiles(join(src, 'many'), 50, 5))
    const first = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--shard', '1/4'], ws)
    expect(first.code).toBe(0)
    const before = readdirSync(join(ws.dest, 'many/d0')).sort()
    makeManyFiles(join(ws.src, 'more'), 40, 4)
    const again = `${ws.dest}-again`
    const second = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', again, '--dest-dir', '--shard', '1/4'], ws)
    expect(second.code).toBe(0)
    expect(readdirSync(join(again, 'many/d0')).sort()).toEqual(before)
  })

  it.each(['4/4', '-1/2', 'x', '1/0'])('rejects --shard %s with 22', async (spec) => {
    const ws = workspace()
    const r = await runCopy(['copy', '--src', ws.src, '--dest', ws.dest, `--shard=${spec}`], ws)
    expect(r.code).toBe(22)
    expect(existsSync(ws.dest)).toBe(false)
  })
})

describe('copy --verify', () => {
  it('passes on a faithful copy', async () => {
    const ws = workspace()
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--verify', '--json'], ws)
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as {mismatches: number}).mismatches).toBe(0)
  })

  it('fails with 5 and counts the files that differ', async () => {
    // a fake "rsync" that copies with real rsync, then damages two files behind its back
    const ws = workspace()
    const wrapper = join(ws.root, 'damaging-rsync.sh')
    writeFileSync(wrapper, `#!/bin/sh\nrsync "$@" || exit $?\ncase "$*" in *--dry-run*) ;; *) printf x >> "${ws.dest}/top.txt"; printf y >> "${ws.dest}/a/one.bin";; esac\n`, {mode: 0o755})
    appendFileSync(join(ws.src, 'top.txt'), '')
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--verify', '--json', '--rsync-path', wrapper], ws)
    expect(r.code).toBe(5)
    const result = JSON.parse(r.stdout) as {mismatches: number; reason: string}
    expect(result.mismatches).toBe(2)
    expect(result.reason).toContain('2 file(s) differ')
  })

  it('a verify pass that cannot run fails with 5 and still sends the error report', async () => {
    const ws = workspace()
    const server = await startCaptureServer()
    servers.push(server)
    const wrapper = join(ws.root, 'verify-breaks.sh')
    writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *--dry-run*) echo "rsync: [sender] verify broke (5)" >&2; exit 12;; esac\nexec rsync "$@"\n`, {mode: 0o755})
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--verify', '--json', '--stderr', '--report-addr', server.url, '--rsync-path', wrapper], ws)
    expect(r.code, r.stderr).toBe(5)
    expect((JSON.parse(r.stdout) as {reason: string}).reason).toMatch(/^verify: verify pass failed: exit status 12/)
    expect(server.json().at(-1)).toMatchObject({errcode: 5})
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
  })
})
