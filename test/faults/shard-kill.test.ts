/**
 * Spec §9 and §12: four shards copy into one dest at once; one of them is
 * SIGKILLed together with its rsync mid-file (a pod's cgroup OOM kill). The
 * other three finish untouched, a rerun of the killed shard completes the
 * copy, and dest ends exactly as a plain copy, with nothing left behind.
 */
import {randomBytes} from 'node:crypto'
import {readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {shardOf} from '../../src/core/split/work-split.js'
import {diffTrees, leftovers, makeManyFiles, snapshotTree} from '../helpers/trees.js'
import {useFaultSandbox} from './helpers/fault-sandbox.js'
import {childrenOf, configDir, launch, waitFor, yamlList} from './helpers/sandbox.js'

const {sb} = useFaultSandbox('shard-kill')

/** The process and every descendant, stopped first so none of them can react (clean up, notice a death), then SIGKILLed together. */
function killTree(root: number): number[] {
  const stopped = new Set<number>()
  for (let round = 0; round < 20; round++) {
    const fresh: number[] = []
    const visit = (pid: number) => {
      if (!stopped.has(pid)) fresh.push(pid)
      for (const child of childrenOf(pid)) visit(child)
    }
    visit(root)
    if (fresh.length === 0) break
    for (const pid of fresh) {
      try {
        process.kill(pid, 'SIGSTOP')
      } catch {
        // already gone
      }
      stopped.add(pid)
    }
  }
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  return [...stopped]
}

const BIG = Array.from({length: 8}, (_, i) => `big${i}.bin`)

describe('four concurrent shards, one SIGKILLed with its rsync', () => {
  it.each([
    ['after the others finished', 'after'],
    ['at once, while the others still copy', 'overlap'],
    ['after the others, which started only once it was killed', 'late'],
  ] as const)('the others finish; a rerun of the killed one %s completes dest as a plain copy, nothing left behind', async (name, when) => {
    const src = sb.mkdir(name, 'src')
    for (const name of BIG) writeFileSync(join(src, name), randomBytes(1024 * 1024))
    makeManyFiles(join(src, 'many'), 60, 6)
    const tmp = sb.mkdir(name, 'tmp')
    const dest = sb.path(name, 'out/dest')
    const plain = sb.path(name, 'out/plain')
    // ~1 MB/s per rsync: each shard's two big files take ~2 s
    const cwd = configDir(sb, 'slow', `rsync: {extraArgs: ${yamlList(['--bwlimit=1024'])}}\n`)
    const env = {TMPDIR: tmp}
    const copy = (to: string, extra: string[], where = cwd) => launch(['copy', '--src', `${src}/`, '--dest', to, '--dest-dir', ...extra], {cwd: where, env})

    // the reference at full speed: the same options otherwise (--bwlimit changes nothing in dest)
    const reference = await copy(plain, [], sb.mkdir(name, 'cwd-plain')).done
    expect(reference.code, reference.stderr).toBe(0)

    const victim = 0
    const start = (i: number) => copy(dest, ['--shard', `${i}/4`])
    // 'late': the others start after the kill, find the dead run's marker first and sweep its part for it
    const shards = when === 'late' ? [start(0)] : [0, 1, 2, 3].map(start)
    const mine = BIG.filter((name) => shardOf(Buffer.from(name), 4) === victim)
    expect(mine.length).toBeGreaterThan(0)
    // mid-file: the victim's rsync has written into the temp file of one of its own big files
    await waitFor(() => {
      try {
        return readdirSync(dest).some((n) => mine.some((m) => n.startsWith(`.${m}.`)) && statSync(join(dest, n)).size > 0)
      } catch {
        return false // not there yet, or renamed meanwhile
      }
    }, "the victim shard's rsync mid-file")
    const killed = killTree(shards[victim]!.child.pid!)
    expect(killed.length).toBeGreaterThan(1)
    expect((await shards[victim]!.done).signal).toBe('SIGKILL')
    // the killed shard's rsync left its temp file, as a SIGKILLed rsync does
    expect(leftovers(dest).some((rel) => mine.some((m) => rel.startsWith(`.${m}.`)))).toBe(true)
    if (when === 'late') shards.push(...[1, 2, 3].map(start))
    const early = when === 'overlap' ? start(victim) : undefined
    const ends = await Promise.all(shards.map((s) => s.done))
    for (const [i, end] of ends.entries()) if (i !== victim) expect(end.code, `shard ${i}: ${end.stderr}`).toBe(0)

    // the survivors' parts are whole
    const copied = snapshotTree(dest)
    for (const [rel, entry] of snapshotTree(plain)) {
      if (entry.type !== 'file' || shardOf(Buffer.from(rel), 4) === victim) continue
      expect(copied.get(rel)?.sha256, rel).toBe(entry.sha256)
    }

    const rerun = await (early ?? start(victim)).done
    expect(rerun.code, rerun.stderr).toBe(0)
    // a run in this boot and pid namespace whose pid is gone is dead at once: no minute of heartbeat to wait out;
    // the first run to start after the kill (a survivor that started late, or the rerun) sweeps the dead shard's part
    const sweeps = [...ends.filter((_, i) => i !== victim), rerun].filter((r) =>
      /removed 1 temporary file\(s\) a killed run left: .*\/\.big\d\.bin\.[A-Za-z0-9]{6}/.test(r.stderr),
    )
    expect(sweeps, [...ends, rerun].map((r) => r.stderr).join('\n---\n')).toHaveLength(1)
    expect(diffTrees(plain, dest, {allTimes: true})).toEqual([])
    expect(leftovers(dest)).toEqual([])
    expect(readdirSync(dirname(dest)).filter((n) => n.startsWith('.transporter-run-'))).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
  })
})
