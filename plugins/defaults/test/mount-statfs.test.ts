import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {FactoryEnv, MountCheck} from 'transporter/plugin-api'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {canonicalFsName, fsAllowed, fsTypeName, isKnownFsName} from '../src/fs-types.js'
import {parseStatfsOptions, statfsCheck} from '../src/mount-statfs.js'

// Real directories, a real tmpfs, the real statfs(2). EACCES/EPERM need another
// user and are covered by the engine's fault tests (run as nobody); here the
// errno mapping is exercised with ENOENT, ENOTDIR, ELOOP and ENAMETOOLONG.

const env = {} as FactoryEnv // the factory ignores its env

let base: string
let tmpfsDir: string
const mounts: string[] = []

function statName(path: string): string {
  return execFileSync('stat', ['-f', '-c', '%T', path], {encoding: 'utf8'}).trim()
}

async function check(options: unknown): Promise<MountCheck> {
  return statfsCheck.create(options, env)
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'transporter-statfs-'))
  tmpfsDir = join(base, 'vol')
  mkdirSync(tmpfsDir)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tmpfsDir])
  mounts.push(tmpfsDir)
  mkdirSync(join(tmpfsDir, 'data'))
  writeFileSync(join(base, 'file'), 'x')
  symlinkSync('loop-b', join(base, 'loop-a'))
  symlinkSync('loop-a', join(base, 'loop-b'))
})

afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync('umount', ['-l', dir])
  rmSync(base, {recursive: true, force: true})
})

describe('fs type names', () => {
  it('names what statfs returns the way `stat -f -c %T` does', async () => {
    const {statfs} = await import('node:fs/promises')
    for (const path of ['/', base, tmpfsDir, '/proc', '/sys', '/dev']) {
      expect(fsTypeName((await statfs(path)).type), path).toBe(statName(path))
    }
  })

  it('knows the filesystems the Go tool accepted and the common ones', () => {
    expect(fsTypeName(0x6969)).toBe('nfs')
    expect(fsTypeName(0x0bd00bd0)).toBe('lustre')
    expect(fsTypeName(0xef53)).toBe('ext2/ext3')
    expect(fsTypeName(0x01021994)).toBe('tmpfs')
    expect(fsTypeName(0x58465342)).toBe('xfs')
    expect(fsTypeName(0x794c7630)).toBe('overlayfs')
    expect(fsTypeName(0x2fc12fc1)).toBe('zfs')
    // a magic with the top bit set, as a sign-extended signed long
    expect(fsTypeName(0xff534d42 - 2 ** 32)).toBe('cifs')
    expect(fsTypeName(0x1234)).toBe('UNKNOWN (0x1234)')
  })

  it('maps aliases users and the kernel write to stat names', () => {
    expect(canonicalFsName('ext4')).toBe('ext2/ext3')
    expect(canonicalFsName('EXT4')).toBe('ext2/ext3')
    expect(canonicalFsName('nfs4')).toBe('nfs')
    expect(canonicalFsName('overlay')).toBe('overlayfs')
    expect(canonicalFsName('fuse.sshfs')).toBe('fuseblk')
    expect(canonicalFsName('anon-inode fs')).toBe('anon-inode FS')
    expect(fsAllowed('ext2/ext3', ['ext4'])).toBe(true)
    expect(fsAllowed('nfs4', ['nfs', 'lustre'])).toBe(true)
    expect(fsAllowed('tmpfs', ['nfs', 'lustre'])).toBe(false)
    expect(isKnownFsName('lustre')).toBe(true)
    expect(isKnownFsName('nfsx')).toBe(false)
  })
})

describe('statfs mount check', () => {
  it('without allow, any reachable path passes', async () => {
    const c = await check(undefined)
    expect(await c.check(base, 'src')).toEqual({ok: true})
    expect(await c.check(tmpfsDir, 'dest')).toEqual({ok: true})
    expect(await c.check('/', 'dest')).toEqual({ok: true})
  })

  it('allow-list matches the filesystem type', async () => {
    expect(await (await check({allow: ['tmpfs']})).check(join(tmpfsDir, 'data'), 'src')).toEqual({ok: true})
    expect(await (await check({allow: ['nfs', 'tmpfs']})).check(tmpfsDir, 'dest')).toEqual({ok: true})
  })

  it('a filesystem not in the list fails without errno, naming role, path and type', async () => {
    const got = await (await check({allow: ['nfs', 'lustre']})).check(tmpfsDir, 'dest')
    expect(got).toEqual({ok: false, reason: `dest ${tmpfsDir} is on tmpfs, allowed: nfs, lustre`})
  })

  it('the legacy nfs/lustre list rejects the local disk', async () => {
    const got = await (await check({allow: ['nfs', 'lustre']})).check(base, 'src')
    expect(got).toEqual({ok: false, reason: `src ${base} is on ${statName(base)}, allowed: nfs, lustre`})
  })

  it.runIf(statName(tmpdir()) === 'ext2/ext3')('accepts ext4 for an ext2/ext3/ext4 disk', async () => {
    expect(await (await check({allow: ['ext4']})).check(tmpdir(), 'src')).toEqual({ok: true})
  })

  it('ENOENT', async () => {
    const path = join(base, 'missing', 'dir')
    expect(await (await check(undefined)).check(path, 'src')).toEqual({
      ok: false,
      errno: 'ENOENT',
      reason: `no such file or directory, statfs '${path}'`,
    })
  })

  it.each([
    {name: 'ENOTDIR (a file in the middle of the path)', path: () => join(base, 'file', 'sub'), errno: 'ENOTDIR'},
    {name: 'ELOOP (a symlink loop)', path: () => join(base, 'loop-a', 'x'), errno: 'ELOOP'},
    {name: 'ENAMETOOLONG', path: () => join(base, 'n'.repeat(300)), errno: 'ENAMETOOLONG'},
  ])('$name', async ({path, errno}) => {
    const got = await (await check({allow: ['tmpfs']})).check(path(), 'dest')
    expect(got).toMatchObject({ok: false, errno})
    expect(got.ok === false && got.reason).toMatch(/statfs '/)
    expect(got.ok === false && got.reason).not.toMatch(/^E[A-Z]+:/)
  })
})

describe('statfs options', () => {
  it('accepts none or an allow list', () => {
    expect(parseStatfsOptions(undefined)).toEqual({allow: undefined})
    expect(parseStatfsOptions({allow: ['nfs', 'lustre']})).toEqual({allow: ['nfs', 'lustre']})
  })

  it.each([
    {options: {allow: ['nfs', 'nfz']}, message: /unknown filesystem type 'nfz' \(known: .*lustre.*\)/},
    {options: {allow: []}, message: /'allow' must be a non-empty list/},
    {options: {allow: 'nfs'}, message: /'allow' must be a non-empty list of names, got "nfs"/},
    {options: {allow: ['nfs', '']}, message: /'allow' must be a list of non-empty strings/},
    {options: {types: ['nfs']}, message: /unknown option 'types' \(known options: allow\)/},
  ])('rejects $options', async ({options, message}) => {
    await expect(async () => statfsCheck.create(options, env)).rejects.toThrow(message)
    expect(() => parseStatfsOptions(options)).toThrow(/^mount check 'statfs': /)
  })
})
