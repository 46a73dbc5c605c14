import {existsSync, writeFileSync} from 'node:fs'
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

// In process (test/engine/scale.test.ts): --parallel without a trailing slash,
// the shard partition's stability, verify's mismatch count; --shard's forms in
// test/unit/copy-settings.test.ts. Here, the CLI and HTTP paths.
describe('copy --parallel', () => {
  it('copies the whole tree with N rsync processes and one summed report stream', async () => {
    const ws = workspace((src) => makeManyFiles(join(src, 'many'), 600, 12))
    const server = await startCaptureServer()
    servers.push(server)
    const r = await runCopy(
      ['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--parallel', '3', '--progress', '--report-addr', server.url, '--json'],
      ws,
    )
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
    const runs = await Promise.all(
      outs.map((out, i) => runCopy(['copy', '--src', `${ws.src}/`, '--dest', out, '--dest-dir', '--shard', `${i}/3`, '--json'], ws)),
    )
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

  it.each(['4/4'])('rejects --shard %s with 22', async (spec) => {
    const ws = workspace()
    const r = await runCopy(['copy', '--src', ws.src, '--dest', ws.dest, `--shard=${spec}`], ws)
    expect(r.code).toBe(22)
    expect(existsSync(ws.dest)).toBe(false)
  })
})

describe('copy --verify', () => {
  it('a verify pass that cannot run fails with 5 and still sends the error report', async () => {
    const ws = workspace()
    const server = await startCaptureServer()
    servers.push(server)
    const wrapper = join(ws.root, 'verify-breaks.sh')
    writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *--dry-run*) echo "rsync: [sender] verify broke (5)" >&2; exit 12;; esac\nexec rsync "$@"\n`, {mode: 0o755})
    const r = await runCopy(
      ['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--verify', '--json', '--stderr', '--report-addr', server.url, '--rsync-path', wrapper],
      ws,
    )
    expect(r.code, r.stderr).toBe(5)
    expect((JSON.parse(r.stdout) as {reason: string}).reason).toMatch(/^verify: verify pass failed: exit status 12/)
    expect(server.json().at(-1)).toMatchObject({errcode: 5})
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
  })
})
