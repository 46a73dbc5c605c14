import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {mayLeaveTempFiles, sweepRsyncTemps} from '../../src/core/rsync/temp-sweep.js'

const roots: string[] = []
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, {recursive: true, force: true})
})

function layout() {
  const root = mkdtempSync(join(tmpdir(), 'sweep-'))
  roots.push(root)
  const src = join(root, 'src')
  const dest = join(root, 'dest')
  mkdirSync(join(src, 'sub'), {recursive: true})
  mkdirSync(join(dest, 'sub'), {recursive: true})
  return {root, src, dest}
}

describe('sweepRsyncTemps: only what a dead rsync of this copy left (spec §12)', () => {
  it('removes recent 0600 .name.XXXXXX files whose name is a file of this copy', async () => {
    const {src, dest} = layout()
    const started = Date.now()
    writeFileSync(join(src, 'sub/big.bin'), 'data')
    writeFileSync(join(src, 'top.txt'), 'data')
    writeFileSync(join(dest, 'sub/.big.bin.Ab12Cd'), 'partial', {mode: 0o600})
    writeFileSync(join(dest, '.top.txt.Zz99Yy'), 'partial', {mode: 0o600})
    // data that merely looks like a temp file: present in the source
    writeFileSync(join(src, 'sub/.cache.AAAAAA'), 'data')
    writeFileSync(join(src, 'sub/cache'), 'data')
    writeFileSync(join(dest, 'sub/.cache.AAAAAA'), 'data', {mode: 0o600})
    // a user's own file: its "target" (report) is no file of this copy
    writeFileSync(join(dest, '.report.2024Q4'), 'mine', {mode: 0o600})
    // other modes and old files are not rsync's in-flight temp files
    writeFileSync(join(src, 'note'), 'x')
    writeFileSync(join(dest, '.note.Qw12Er'), 'x', {mode: 0o644})
    writeFileSync(join(src, 'old'), 'x')
    writeFileSync(join(dest, '.old.Rt56Yu'), 'x', {mode: 0o600})
    utimesSync(join(dest, '.old.Rt56Yu'), new Date(started - 60_000), new Date(started - 60_000))

    const removed = await sweepRsyncTemps(`${src}/`, dest, started)
    expect(removed.sort()).toEqual([join(dest, '.top.txt.Zz99Yy'), join(dest, 'sub/.big.bin.Ab12Cd')].sort())
    for (const kept of ['sub/.cache.AAAAAA', '.report.2024Q4', '.note.Qw12Er', '.old.Rt56Yu']) expect(existsSync(join(dest, kept)), kept).toBe(true)
  })

  it("with a shard's `owns`, only its own files' temps go: another shard's writer may be where /proc cannot see it", async () => {
    const {src, dest} = layout()
    // a file of each shard, and the temp file its rsync left beside it in dest
    for (const [file, temp] of [
      ['sub/mine.bin', 'sub/.mine.bin.Ab12Cd'],
      ['theirs.bin', '.theirs.bin.Ab12Cd'],
    ]) {
      writeFileSync(join(src, file!), 'data')
      writeFileSync(join(dest, temp!), 'partial', {mode: 0o600})
    }
    const seen: string[] = []
    const owns = (rel: Buffer) => (seen.push(rel.toString()), rel.toString() === 'sub/mine.bin')
    expect(await sweepRsyncTemps(`${src}/`, dest, 0, owns)).toEqual([join(dest, 'sub/.mine.bin.Ab12Cd')])
    expect(seen.sort()).toEqual(['sub/mine.bin', 'theirs.bin'])
    expect(existsSync(join(dest, '.theirs.bin.Ab12Cd'))).toBe(true)
  })

  it('never removes a temp file another live process holds open (another worker, shard or run)', async () => {
    const {src, dest} = layout()
    writeFileSync(join(src, 'busy.bin'), 'data')
    writeFileSync(join(src, 'dead.bin'), 'data')
    writeFileSync(join(dest, '.busy.bin.Ab12Cd'), 'in flight', {mode: 0o600})
    writeFileSync(join(dest, '.dead.bin.Ab12Cd'), 'left over', {mode: 0o600})
    // a real other process with the file open, as a concurrent rsync would have
    const holder = spawn('sh', ['-c', 'exec 3<"$1"; sleep 30', 'sh', join(dest, '.busy.bin.Ab12Cd')], {stdio: 'ignore'})
    try {
      await waitForOpen(holder.pid!, join(dest, '.busy.bin.Ab12Cd'))
      const removed = await sweepRsyncTemps(`${src}/`, dest, Date.now() - 1000)
      expect(removed).toEqual([join(dest, '.dead.bin.Ab12Cd')])
      expect(existsSync(join(dest, '.busy.bin.Ab12Cd'))).toBe(true)
    } finally {
      holder.kill('SIGKILL')
    }
  })

  it('reads names as bytes: a temp file of a name that is not UTF-8 is found too', async () => {
    const {src, dest} = layout()
    const name = Buffer.from([0x63, 0x61, 0x66, 0xe9]) // "caf\xe9", Latin-1
    writeFileSync(Buffer.concat([Buffer.from(`${src}/`), name]), 'data')
    const temp = Buffer.concat([Buffer.from(`${dest}/.`), name, Buffer.from('.Ab12Cd')])
    writeFileSync(temp, 'partial', {mode: 0o600})
    const removed = await sweepRsyncTemps(`${src}/`, dest, Date.now() - 1000)
    expect(removed).toHaveLength(1)
    expect(existsSync(temp)).toBe(false)
  })

  it('maps paths through a source without trailing slash (the directory itself is copied)', async () => {
    const {root, src, dest} = layout()
    mkdirSync(join(dest, 'src'))
    writeFileSync(join(src, '.kept.Ab12Cd'), 'data')
    writeFileSync(join(src, 'kept'), 'data')
    writeFileSync(join(src, 'gone'), 'data')
    writeFileSync(join(dest, 'src/.kept.Ab12Cd'), 'data', {mode: 0o600})
    writeFileSync(join(dest, 'src/.gone.Ab12Cd'), 'partial', {mode: 0o600})
    const removed = await sweepRsyncTemps(src, dest, Date.now() - 1000)
    expect(removed).toEqual([join(dest, 'src/.gone.Ab12Cd')])
    expect(existsSync(join(root, 'dest/src/.kept.Ab12Cd'))).toBe(true)
  })

  it('a missing destination is nothing to sweep', async () => {
    const {root, src} = layout()
    expect(await sweepRsyncTemps(src, join(root, 'nope'), 0)).toEqual([])
  })
})

/** Until `pid` has `path` open (its fd table is filled asynchronously after spawn). */
async function waitForOpen(pid: number, path: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === path)) return
    } catch {
      // not started yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`process ${pid} never opened ${path}`)
}

describe('mayLeaveTempFiles', () => {
  it.each([
    [-1, false, true],
    [12, false, true],
    [20, false, true],
    [23, true, true],
    [0, false, false],
    [23, false, false],
    [11, false, false],
  ])('code %i interrupted=%s → %s', (code, interrupted, expected) => {
    expect(mayLeaveTempFiles(code, interrupted)).toBe(expected)
  })
})
