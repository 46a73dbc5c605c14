import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {FactoryEnv, MountCheck} from 'transporter/plugin-api'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MountpointCheck, mountpointCheck, parseMountpointOptions} from '../src/mount-mountpoint.js'
import {findMount, isReadOnly, isUnder, type MountInfo, parseMountInfo, parseMountInfoLine, splitDev, unescapeMountField} from '../src/mountinfo.js'

const env = {} as FactoryEnv // the factory ignores its env

async function check(options?: unknown): Promise<MountCheck> {
  return mountpointCheck.create(options, env)
}

describe('mountinfo parser', () => {
  it('parses the proc(5) example line', () => {
    expect(parseMountInfoLine('36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue')).toEqual({
      mountId: 36,
      parentId: 35,
      major: 98,
      minor: 0,
      root: '/mnt1',
      mountPoint: '/mnt/parent',
      mountOptions: ['rw', 'noatime'],
      optionalFields: ['master:1'],
      fsType: 'ext3',
      source: '/dev/root',
      superOptions: ['rw', 'errors=continue'],
    })
  })

  it('handles zero and several optional fields', () => {
    const none = parseMountInfoLine('42 27 0:39 / /mnt/ro ro,relatime - tmpfs tmpfs ro,size=1024k')
    expect(none).toMatchObject({mountPoint: '/mnt/ro', optionalFields: [], fsType: 'tmpfs', source: 'tmpfs'})
    expect(none && isReadOnly(none)).toBe(true)
    const many = parseMountInfoLine('100 1 0:50 /export /data rw shared:7 master:2 propagate_from:3 unbindable - nfs4 srv:/export rw,vers=4.2')
    expect(many).toMatchObject({
      optionalFields: ['shared:7', 'master:2', 'propagate_from:3', 'unbindable'],
      fsType: 'nfs4',
      source: 'srv:/export',
      root: '/export',
    })
    expect(many && isReadOnly(many)).toBe(false)
  })

  it('decodes octal escapes in paths', () => {
    expect(unescapeMountField('/mnt/a\\040b\\011c\\012d\\134e')).toBe('/mnt/a b\tc\nd\\e')
    expect(parseMountInfoLine('50 27 0:60 / /mnt/my\\040vol rw - tmpfs my\\040src rw')).toMatchObject({
      mountPoint: '/mnt/my vol',
      source: 'my src',
    })
  })

  it('rejects malformed lines and skips them in a file', () => {
    expect(parseMountInfoLine('')).toBeUndefined()
    expect(parseMountInfoLine('36 35 98:0 /mnt1 /mnt/parent rw,noatime ext3 /dev/root rw')).toBeUndefined() // no separator
    expect(parseMountInfoLine('x 35 98:0 / /a rw - ext3 /dev/root rw')).toBeUndefined()
    expect(parseMountInfoLine('36 35 98 / /a rw - ext3 /dev/root rw')).toBeUndefined()
    expect(parseMountInfoLine('36 35 98:0 / /a rw -')).toBeUndefined()
    const text = ['garbage', '1 0 8:1 / / rw - ext4 /dev/sda1 rw', '', '2 1 0:5 / /mnt rw - tmpfs tmpfs rw', ''].join('\n')
    expect(parseMountInfo(text).map((m) => m.mountPoint)).toEqual(['/', '/mnt'])
  })

  it('parses every line of the real /proc/self/mountinfo', () => {
    const text = readFileSync('/proc/self/mountinfo', 'utf8')
    const lines = text.split('\n').filter((l) => l !== '')
    const mounts = parseMountInfo(text)
    expect(mounts).toHaveLength(lines.length)
    expect(mounts.some((m) => m.mountPoint === '/')).toBe(true)
    expect(mounts.find((m) => m.mountPoint === '/proc')?.fsType).toBe('proc')
    for (const m of mounts) expect(m.mountPoint.startsWith('/')).toBe(true)
  })

  it('splits dev_t like glibc', () => {
    expect(splitDev(0xfe00n)).toEqual({major: 254, minor: 0})
    expect(splitDev(0x27n)).toEqual({major: 0, minor: 39})
    // minor above 255 and major above 4095 use the high bits
    const makedev = (major: bigint, minor: bigint) => ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n)
    expect(splitDev(makedev(0x1003n, 0x12004n))).toEqual({major: 0x1003, minor: 0x12004})
  })
})

describe('mount lookup', () => {
  const m = (id: number, mountPoint: string, dev = `0:${id}`): MountInfo =>
    parseMountInfoLine(`${id} 1 ${dev} / ${mountPoint.replaceAll(' ', '\\040')} rw - tmpfs tmpfs rw`) as MountInfo
  const mounts = [m(1, '/'), m(2, '/mnt'), m(3, '/mnt/ab'), m(4, '/data'), m(5, '/data')]

  it('matches whole path components, not string prefixes', () => {
    expect(isUnder('/mnt/a', '/mnt/ab')).toBe(false)
    expect(isUnder('/mnt/ab', '/mnt/ab')).toBe(true)
    expect(isUnder('/mnt/ab/c', '/mnt/ab')).toBe(true)
    expect(isUnder('/anything', '/')).toBe(true)
    expect(findMount(mounts, '/mnt/a/x')?.mountId).toBe(2)
    expect(findMount(mounts, '/mnt/ab/x')?.mountId).toBe(3)
    expect(findMount(mounts, '/mntx')?.mountId).toBe(1)
  })

  it('picks the visible mount of a stacked mount point', () => {
    expect(findMount(mounts, '/data/f')?.mountId).toBe(5)
    expect(findMount(mounts, '/data/f', {major: 0, minor: 4})?.mountId).toBe(4)
  })
})

describe('mountpoint mount check (real mounts)', () => {
  let base: string
  let rootDir: string
  let removeRootDir = false
  let vol: string
  let roVol: string
  const mounts: string[] = []

  function mount(dir: string, options: string): void {
    mkdirSync(dir, {recursive: true})
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir])
    mounts.push(dir)
  }

  beforeAll(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'transporter-mountpoint-')))
    // The "root filesystem" is the mount whose mount point is `/` (an overlay in
    // most containers, ext4 here). Use the temp dir if it lies on it, else make one there.
    const here = findMount(parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')), base)
    if (here?.mountPoint === '/') {
      rootDir = join(base, 'on-root')
      mkdirSync(rootDir)
    } else {
      rootDir = mkdtempSync('/.transporter-mountpoint-')
      removeRootDir = true
    }
    vol = join(base, 'vol a') // a space: mountinfo escapes it as \040
    mount(vol, 'size=1m')
    mkdirSync(join(vol, 'data'))
    roVol = join(base, 'ro')
    mount(roVol, 'ro,size=1m')
    mount(join(base, 'p', 'a'), 'size=1m')
    mkdirSync(join(base, 'p', 'ab'))
    symlinkSync(join(vol, 'data'), join(rootDir, 'link-to-vol'))
    symlinkSync(rootDir, join(vol, 'link-to-root'))
  })

  afterAll(() => {
    for (const dir of mounts.reverse()) execFileSync('umount', ['-l', dir])
    rmSync(base, {recursive: true, force: true})
    if (removeRootDir) rmSync(rootDir, {recursive: true, force: true})
  })

  it('a path on a mounted volume passes, for src and dest', async () => {
    const c = await check()
    expect(await c.check(vol, 'src')).toEqual({ok: true})
    expect(await c.check(join(vol, 'data'), 'dest')).toEqual({ok: true})
    // the kernel's device number of the path names the same mount
    const dev = splitDev(statSync(vol, {bigint: true}).dev)
    const found = findMount(parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')), vol, dev)
    expect(found && {mountPoint: found.mountPoint, major: found.major, minor: found.minor}).toEqual({mountPoint: vol, ...dev})
  })

  it('a path on the root filesystem fails with the root message', async () => {
    const got = await (await check()).check(rootDir, 'dest')
    expect(got).toEqual({ok: false, reason: `dest ${rootDir} is on the root filesystem (/), not on a mounted volume`})
  })

  it('compares path components: a sibling named like a mount point is not on it', async () => {
    const c = await check()
    expect(await c.check(join(base, 'p', 'a'), 'src')).toEqual({ok: true})
    const sibling = join(base, 'p', 'ab')
    const got = await c.check(sibling, 'src')
    if (rootDir.startsWith(base)) {
      expect(got).toEqual({ok: false, reason: `src ${sibling} is on the root filesystem (/), not on a mounted volume`})
    } else {
      expect(got.ok).toBe(true) // the temp dir itself is on some other mount
    }
  })

  it('follows symlinks to where the data really is', async () => {
    const c = await check()
    expect(await c.check(join(rootDir, 'link-to-vol'), 'src')).toEqual({ok: true})
    expect(await c.check(join(vol, 'link-to-root'), 'src')).toMatchObject({ok: false, reason: expect.stringMatching(/root filesystem/)})
  })

  it('a read-only mount fails for dest with EROFS and passes for src', async () => {
    const c = await check()
    expect(await c.check(roVol, 'dest')).toEqual({ok: false, errno: 'EROFS', reason: `dest ${roVol} is on a read-only mount (${roVol})`})
    expect(await c.check(roVol, 'src')).toEqual({ok: true})
    expect(await (await check({readOnlyIsError: false})).check(roVol, 'dest')).toEqual({ok: true})
  })

  it('applies the fs-type allow list', async () => {
    expect(await (await check({allow: ['tmpfs']})).check(vol, 'src')).toEqual({ok: true})
    expect(await (await check({allow: ['nfs', 'lustre']})).check(vol, 'dest')).toEqual({
      ok: false,
      reason: `dest ${vol} is on tmpfs (mounted at ${vol}), allowed: nfs, lustre`,
    })
  })

  it('maps path errors to their errno', async () => {
    const c = await check()
    const missing = join(vol, 'missing', 'x')
    expect(await c.check(missing, 'src')).toEqual({
      ok: false,
      errno: 'ENOENT',
      reason: `no such file or directory, realpath '${missing}'`,
    })
  })

  it('an unreadable mount table is a failure without errno', async () => {
    const got = await new MountpointCheck(parseMountpointOptions(undefined), join(base, 'no-mountinfo')).check(vol, 'src')
    expect(got).toMatchObject({ok: false, reason: expect.stringMatching(/cannot read .*no-mountinfo/)})
    expect(got).not.toHaveProperty('errno')
  })
})

describe('mountpoint options', () => {
  it('defaults', () => {
    expect(parseMountpointOptions(undefined)).toEqual({allow: undefined, readOnlyIsError: true})
    expect(parseMountpointOptions({allow: ['nfs'], readOnlyIsError: false})).toEqual({allow: ['nfs'], readOnlyIsError: false})
  })

  it.each([
    {options: {readOnlyIsError: 'yes'}, message: /'readOnlyIsError' must be true or false, got "yes"/},
    {options: {allow: ['tmpfz']}, message: /unknown filesystem type 'tmpfz'/},
    {options: {ro: true}, message: /unknown option 'ro' \(known options: allow, readOnlyIsError\)/},
  ])('rejects $options', async ({options, message}) => {
    await expect(async () => mountpointCheck.create(options, env)).rejects.toThrow(message)
    expect(() => parseMountpointOptions(options)).toThrow(/^mount check 'mountpoint': /)
  })
})
