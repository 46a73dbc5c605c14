import {chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {BIN} from '../helpers/run-cli.js'
import {useFaultSandbox} from './helpers/fault-sandbox.js'
import {configDir, launch, rsyncWrapper} from './helpers/sandbox.js'
import {diffTrees, leftovers, partialOrWhole, snapshotTree} from '../helpers/trees.js'
import {listSource} from '../../src/core/split/source-listing.js'
import {StopController} from '../../src/core/run/stop.js'

// Real faults, real rsync: each test produces the condition with the kernel
// (tmpfs size limit, read-only mount, an unprivileged user, a long name).
const {sb, server} = useFaultSandbox('disk')

function makeSource(name: string, bigBytes: number): string {
  const src = sb.mkdir(name)
  writeFileSync(`${src}/a.txt`, 'small file\n')
  mkdirSync(`${src}/sub`)
  writeFileSync(`${src}/sub/b.txt`, 'another\n')
  if (bigBytes > 0) writeFileSync(`${src}/big.bin`, randomBytes(bigBytes))
  chmodSync(src, 0o755)
  return src
}

/** Runs a copy with error+progress reports to the capture server; returns exit code, starts, reports. */
async function copyWithReports(name: string, src: string, dest: string, wrap?: string[]) {
  const rsync = rsyncWrapper(sb, name)
  const cwd = configDir(sb, name, `rsync: {path: ${JSON.stringify(rsync.path)}}\nreporters: [http]\n`)
  chmodSync(cwd, 0o755)
  const before = server().requests.length
  const res = await launch(['-dest-dir=false', '-stderr', '-progress', '-report-addr', `${server().url}/${name}`, '-src', `${src}/`, '-dest', dest], {
    cwd,
    ...(wrap ? {wrap, env: {HOME: cwd}} : {}),
  }).done
  const reports = server()
    .json()
    .slice(before)
    .filter((_, i) => server().requests[before + i]!.url.endsWith(`/${name}`))
  return {...res, starts: rsync.starts(), reports}
}

function expectErrorReportLast(reports: Array<Record<string, unknown>>, errcode: number, errnoText: string) {
  const errors = reports.filter((r) => r.errcode !== 0)
  expect(errors).toHaveLength(1)
  expect(reports.at(-1)).toBe(errors[0])
  expect(errors[0]!.errcode).toBe(errcode)
  expect(String(errors[0]!.message)).toContain(errnoText)
  expect(String(errors[0]!.message)).toMatch(/rsync error: .*\(code \d+\) at /)
  // the final progress report comes before the error report
  expect(reports.length).toBeGreaterThanOrEqual(2)
  expect(reports.at(-2)!.errcode).toBe(0)
}

const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
// `nobody` must be able to run the checkout (a clone under a 0700 home cannot). Otherwise
// the same fault comes from root without the capabilities that bypass file permissions,
// writing into a directory owned by nobody.
// TRANSPORTER_TEST_NO_NOBODY=1 forces the fallback, to check it here.
const nobodyCanRun =
  process.env.TRANSPORTER_TEST_NO_NOBODY !== '1' &&
  spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)}, 4)`]).status === 0
const ROOT_WITHOUT_DAC = ['setpriv', '--bounding-set=-dac_override,-dac_read_search,-chown,-fowner']
const unprivileged = nobodyCanRun
  ? {wrap: AS_NOBODY, owner: 0, who: 'nobody'}
  : {wrap: ROOT_WITHOUT_DAC, owner: 65534, who: 'root without CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER'}

describe('disk faults with real rsync', () => {
  it('no space: 5 MB into a 1 MB tmpfs → 28, not retried, error report with rsync stderr, partial data is a prefix', async () => {
    const src = makeSource('src-enospc', 5 * 1024 * 1024)
    const dest = sb.path('dst-enospc')
    sb.mountTmpfs(dest, 'size=1m')
    const r = await copyWithReports('enospc', src, dest)
    expect(r.code, r.stderr).toBe(28)
    expect(r.starts).toBe(1)
    expectErrorReportLast(r.reports, 28, 'No space left on device (28)')
    expect(r.reports.at(-1)!.reason).toBe('exit status 11')
    expect(leftovers(dest)).toEqual([])
    // what arrived is intact; the big file is at most a --partial prefix of the source
    for (const [rel, e] of snapshotTree(dest)) {
      if (e.type !== 'file') continue
      expect(partialOrWhole(`${src}/${rel}`, `${dest}/${rel}`), rel).not.toBe('corrupt')
    }
    expect([...snapshotTree(dest).keys()].every((rel) => snapshotTree(src).has(rel))).toBe(true)
  })

  it('read-only dest (ro tmpfs) → 30, not retried, error report', async () => {
    const src = makeSource('src-erofs', 0)
    const dest = sb.path('dst-erofs')
    sb.mountTmpfs(dest, 'size=1m')
    writeFileSync(`${dest}/already.txt`, 'was here\n')
    sb.remountReadOnly(dest)
    const r = await copyWithReports('erofs', src, dest)
    expect(r.code, r.stderr).toBe(30)
    expect(r.starts).toBe(1)
    expectErrorReportLast(r.reports, 30, 'Read-only file system (30)')
    expect([...snapshotTree(dest).keys()]).toEqual(['already.txt'])
  })

  it('--dest-dir on a read-only file system → 30 before rsync starts, not ENOENT/255 (spec §3)', async () => {
    const src = makeSource('src-erofs-destdir', 0)
    const mnt = sb.path('dst-erofs-destdir')
    sb.mountTmpfs(mnt, 'size=1m')
    sb.remountReadOnly(mnt)
    const r = await launch(['-dest-dir', '-src', `${src}/`, '-dest', `${mnt}/new/dest`], {cwd: sb.mkdir('cwd-erofs-destdir')}).done
    expect(r.code, r.stderr).toBe(30)
    expect(r.stderr).toContain(`cannot create dest dir ${mnt}/new/dest: read-only file system`)
    expect([...snapshotTree(mnt).keys()]).toEqual([])
  })

  it('--parallel with a read-only TMPDIR keeps its work lists beside dest, and removes them (spec §9)', async () => {
    const src = makeSource('src-rotmp', 0)
    for (let i = 0; i < 20; i++) writeFileSync(`${src}/f${i}`, `${i}\n`)
    const tmp = sb.path('tmp-ro')
    sb.mountTmpfs(tmp, 'size=1m')
    sb.remountReadOnly(tmp)
    const parent = sb.mkdir('rotmp-parent')
    const dest = `${parent}/dest`
    const r = await launch(['copy', '--src', `${src}/`, '--dest', dest, '--dest-dir', '--parallel', '3'], {cwd: sb.mkdir('cwd-rotmp'), env: {TMPDIR: tmp}}).done
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/work lists cannot go to .*tmp-ro \(EROFS\); trying beside dest/)
    expect(diffTrees(src, dest)).toEqual([])
    expect(readdirSync(parent)).toEqual(['dest'])
  })

  /** 5,000 files whose listing (~2.2 MB, paths of ~400 bytes) does not fit a 1.5 MiB TMPDIR. */
  function manyLongNames(name: string): string {
    const src = sb.mkdir(name)
    for (let d = 0; d < 10; d++) {
      const dir = `${src}/${'d'.repeat(190)}${d}`
      mkdirSync(dir)
      for (let f = 0; f < 500; f++) writeFileSync(`${dir}/${'f'.repeat(190)}${f}`, `${f}\n`)
    }
    return src
  }

  it("rsync's listing cut short by a full work directory is an ENOSPC, never a shorter list (rsync ignores its failed writes)", async () => {
    const src = manyLongNames('src-cut')
    const work = sb.path('work-cut')
    // over the 1 MiB a file for rsync's stdout needs free, under the listing's size
    sb.mountTmpfs(work, 'size=1536k')
    let seen = 0
    const listing = listSource(
      {rsyncPath: 'rsync', src: `${src}/`, base: `${src}/`, extraArgs: [], hardLinks: false, stop: new StopController(), graceMs: 1000, workDir: work},
      () => seen++,
    )
    await expect(listing).rejects.toMatchObject({
      code: 'ENOSPC',
      message: expect.stringMatching(/cut short: \d+ of an unknown number of entries reached .*work-cut/),
    })
    expect(seen).toBeGreaterThan(0)
    expect(seen).toBeLessThan(5010)
  })

  it('--parallel with a TMPDIR too small for the listing keeps its work beside dest; the tree is whole', async () => {
    const src = manyLongNames('src-smalltmp')
    const tmp = sb.path('tmp-small')
    sb.mountTmpfs(tmp, 'size=1536k')
    const dest = sb.path('dst-smalltmp')
    const r = await launch(['copy', '--src', `${src}/`, '--dest', dest, '--dest-dir', '--parallel', '2'], {cwd: sb.mkdir('cwd-smalltmp'), env: {TMPDIR: tmp}})
      .done
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/work lists cannot go to .*tmp-small \(ENOSPC\); trying beside dest/)
    expect(diffTrees(src, dest)).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
  })

  it("a full TMPDIR: --json still carries rsync's real counts (rsync's stdout goes through a pipe, not a file it cannot write)", async () => {
    const src = makeSource('src-fulltmp', 0)
    const tmp = sb.path('tmp-full')
    sb.mountTmpfs(tmp, 'size=256k')
    try {
      writeFileSync(`${tmp}/fill`, Buffer.alloc(512 * 1024))
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC') // full to the last byte
    }
    const dest = sb.path('dst-fulltmp')
    const r = await launch(['copy', '--src', `${src}/`, '--dest', dest, '--json'], {cwd: sb.mkdir('cwd-fulltmp'), env: {TMPDIR: tmp}}).done
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout) as {filesTransferred: number; filesTotal: number; bytes: number}
    expect(result).toMatchObject({filesTransferred: 2, filesTotal: 4, bytes: 19})
    expect(diffTrees(src, dest)).toEqual([])
  })

  it("a later split run removes the work lists a killed run left, and keeps a live run's", async () => {
    const src = makeSource('src-stale', 0)
    const tmp = sb.mkdir('tmp-stale')
    // a pid that is surely gone: a child that has exited
    const dead = spawnSync('true').pid!
    mkdirSync(`${tmp}/transporter-lists-${dead}-AbC123`)
    writeFileSync(`${tmp}/transporter-lists-${dead}-AbC123/list-0`, 'a.txt\0')
    mkdirSync(`${tmp}/transporter-lists-${process.pid}-XyZ789`)
    const r = await launch(['copy', '--src', `${src}/`, '--dest', sb.path('dst-stale'), '--dest-dir', '--parallel', '2'], {
      cwd: sb.mkdir('cwd-stale'),
      env: {TMPDIR: tmp},
    }).done
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`removed the work lists a killed run left: ${tmp}/transporter-lists-${dead}-AbC123`)
    expect(readdirSync(tmp)).toEqual([`transporter-lists-${process.pid}-XyZ789`])
  })

  // root without CAP_DAC_OVERRIDE is a user like any other here, and nothing but its uid says it is not one
  const identities = [
    ...(nobodyCanRun ? [{who: 'nobody', wrap: AS_NOBODY, self: 65534, tag: 'nobody'}] : []),
    {who: 'root without CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER', wrap: ROOT_WITHOUT_DAC, self: 0, tag: 'root'},
  ]
  it.each(identities)(
    "--parallel 4 as $who copies 0555 source directories exactly (no worker locked out by another's read-only directory)",
    async ({wrap, self, tag}) => {
      const src = sb.mkdir(`src-0555-${tag}`)
      for (let d = 0; d < 6; d++) {
        mkdirSync(`${src}/d${d}/inner`, {recursive: true})
        for (let f = 0; f < 8; f++) writeFileSync(`${src}/d${d}/inner/f${f}`, `${d}-${f}\n`)
        for (let f = 0; f < 8; f++) writeFileSync(`${src}/d${d}/g${f}`, `${d}-${f}\n`)
        chmodSync(`${src}/d${d}/inner`, 0o555)
        chmodSync(`${src}/d${d}`, 0o555)
      }
      chmodSync(src, 0o755)
      for (let round = 0; round < 3; round++) {
        const dest = sb.mkdir(`dst-0555-${tag}-${round}`)
        // owned by whoever runs the copy
        chownSync(dest, self, self)
        const cwd = sb.mkdir(`cwd-0555-${tag}-${round}`)
        chmodSync(cwd, 0o755)
        const r = await launch(['copy', '--src', `${src}/`, '--dest', dest, '--parallel', '4'], {cwd, wrap, env: {HOME: cwd}}).done
        expect(r.code, r.stderr).toBe(0)
        expect(diffTrees(src, dest, {owners: false})).toEqual([])
        expect(leftovers(dest)).toEqual([])
      }
    },
  )

  it(`permission denied: as ${unprivileged.who} into another user's 0755 dir → 13, not retried, nothing written`, async () => {
    const src = makeSource('src-eacces', 0)
    chmodSync(`${src}/sub`, 0o755)
    for (const f of ['a.txt', 'sub/b.txt']) chmodSync(`${src}/${f}`, 0o644)
    const dest = sb.mkdir('dst-eacces')
    chownSync(dest, unprivileged.owner, unprivileged.owner)
    chmodSync(dest, 0o755)
    const r = await copyWithReports('eacces', src, dest, unprivileged.wrap)
    expect(r.code, r.stderr).toBe(13)
    expect(r.starts).toBe(1)
    expectErrorReportLast(r.reports, 13, 'Permission denied (13)')
    expect([...snapshotTree(dest).keys()]).toEqual([])
  })

  it('file name too long: a 256-byte dest component → 36, not retried, nothing created', async () => {
    const src = makeSource('src-long', 0)
    const parent = sb.mkdir('dst-long')
    const dest = `${parent}/${'n'.repeat(256)}`
    const r = await copyWithReports('toolong', src, dest)
    expect(r.code, r.stderr).toBe(36)
    expect(r.starts).toBe(1)
    expectErrorReportLast(r.reports, 36, 'File name too long (36)')
    expect(r.reports.at(-1)!.reason).toBe('exit status 3')
    expect([...snapshotTree(parent).keys()]).toEqual([])
  })

  it('a good copy after all that leaves identical trees and no temp files', async () => {
    const src = makeSource('src-good', 64 * 1024)
    const dest = sb.path('dst-good')
    const r = await copyWithReports('good', src, dest)
    expect(r.code, r.stderr).toBe(0)
    expect(r.starts).toBe(1)
    expect(diffTrees(src, dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
    expect(r.reports.every((x) => x.errcode === 0)).toBe(true)
    expect(r.reports.at(-1)).toMatchObject({current_count: 3, total_count: 5})
    expect(readFileSync(`${dest}/a.txt`, 'utf8')).toBe('small file\n')
  })
})
