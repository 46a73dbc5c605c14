import {existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
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

describe('sweepRsyncTemps', () => {
  it('removes only recent 0600 .name.XXXXXX files that have no counterpart in the source', async () => {
    const {src, dest} = layout()
    const started = Date.now()
    writeFileSync(join(dest, 'sub/.big.bin.Ab12Cd'), 'partial', {mode: 0o600})
    writeFileSync(join(dest, '.top.txt.Zz99Yy'), 'partial', {mode: 0o600})
    // data that merely looks like a temp file: present in the source
    writeFileSync(join(src, 'sub/.cache.AAAAAA'), 'data')
    writeFileSync(join(dest, 'sub/.cache.AAAAAA'), 'data', {mode: 0o600})
    // other modes and old files are not rsync's in-flight temp files
    writeFileSync(join(dest, '.note.Qw12Er'), 'x', {mode: 0o644})
    writeFileSync(join(dest, '.old.Rt56Yu'), 'x', {mode: 0o600})
    utimesSync(join(dest, '.old.Rt56Yu'), new Date(started - 60_000), new Date(started - 60_000))

    const removed = await sweepRsyncTemps(`${src}/`, dest, started)
    expect(removed.sort()).toEqual([join(dest, '.top.txt.Zz99Yy'), join(dest, 'sub/.big.bin.Ab12Cd')].sort())
    expect(existsSync(join(dest, 'sub/.cache.AAAAAA'))).toBe(true)
    expect(existsSync(join(dest, '.note.Qw12Er'))).toBe(true)
    expect(existsSync(join(dest, '.old.Rt56Yu'))).toBe(true)
  })

  it('maps paths through a source without trailing slash (the directory itself is copied)', async () => {
    const {root, src, dest} = layout()
    mkdirSync(join(dest, 'src'))
    writeFileSync(join(src, '.kept.Ab12Cd'), 'data')
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
