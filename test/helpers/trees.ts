import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {
  chmodSync,
  closeSync,
  ftruncateSync,
  linkSync,
  lutimesSync,
  openSync,
  writeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A fresh temp dir; remove it with `cleanup`. */
export function tempDir(prefix = 'transporter-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function cleanup(...dirs: string[]): void {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
}

/**
 * A small tree with what copies get wrong: nested dirs, an empty file and an
 * empty dir, odd modes, a symlink (relative) and a dangling one, names with
 * spaces, unicode and leading dashes, an old mtime.
 */
export function makeSampleTree(root: string): void {
  mkdirSync(join(root, 'a/b/c'), {recursive: true})
  mkdirSync(join(root, 'empty-dir'))
  mkdirSync(join(root, 'dir with spaces'))
  writeFileSync(join(root, 'top.txt'), 'top level\n')
  writeFileSync(join(root, 'a/one.bin'), Buffer.from([0, 1, 2, 255, 254, 10, 13]))
  writeFileSync(join(root, 'a/b/c/deep.txt'), 'deep\n'.repeat(100))
  writeFileSync(join(root, 'empty.txt'), '')
  writeFileSync(join(root, 'dir with spaces/file with spaces.txt'), 'spaces\n')
  writeFileSync(join(root, 'ünïcødé-日本語.txt'), 'unicode\n')
  writeFileSync(join(root, '-leading-dash.txt'), 'dash\n')
  writeFileSync(join(root, '--double-dash'), 'double dash\n')
  writeFileSync(join(root, 'big.dat'), Buffer.alloc(256 * 1024, 7))
  writeFileSync(join(root, 'exec.sh'), '#!/bin/sh\necho hi\n')
  chmodSync(join(root, 'exec.sh'), 0o755)
  writeFileSync(join(root, 'private.txt'), 'secret\n')
  chmodSync(join(root, 'private.txt'), 0o600)
  symlinkSync('a/b/c/deep.txt', join(root, 'link-to-deep'))
  symlinkSync('does/not/exist', join(root, 'dangling-link'))
  utimesSync(join(root, 'top.txt'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'))
}

/**
 * What a split copy gets wrong: a symlink loop, a symlink to a directory, a
 * dangling one, names that are not valid UTF-8 (a file, a directory, a
 * symlink), a FIFO, a 0555 directory with files, a hard-link pair, a 64 MiB
 * sparse file, and old mtimes on everything (directories and links too).
 */
export function makeHostileTree(root: string): void {
  const bad = (prefix: string) => Buffer.concat([Buffer.from(`${root}/${prefix}`), Buffer.from([0x66, 0xff, 0xfe])])
  mkdirSync(join(root, 'real-dir/sub'), {recursive: true})
  writeFileSync(join(root, 'real-dir/sub/inside.txt'), 'inside\n')
  symlinkSync('b', join(root, 'loop-a'))
  symlinkSync('loop-a', join(root, 'b'))
  symlinkSync('real-dir', join(root, 'link-to-dir'))
  symlinkSync('no/such/target', join(root, 'dangling'))
  writeFileSync(bad('file-'), 'not utf-8\n')
  mkdirSync(bad('dir-'))
  writeFileSync(Buffer.concat([bad('dir-'), Buffer.from('/'), Buffer.from([0xc3, 0x28])]), 'in a non-utf-8 dir\n')
  symlinkSync(Buffer.from([0x74, 0xe9]), bad('link-'))
  execFileSync('mkfifo', [join(root, 'fifo')])
  mkdirSync(join(root, 'read-only/deeper'), {recursive: true})
  writeFileSync(join(root, 'read-only/one.txt'), 'one\n')
  writeFileSync(join(root, 'read-only/deeper/two.txt'), 'two\n')
  writeFileSync(join(root, 'hard-1'), 'linked twice\n')
  linkSync(join(root, 'hard-1'), join(root, 'real-dir/hard-2'))
  const fd = openSync(join(root, 'sparse.img'), 'w')
  writeSync(fd, 'start')
  writeSync(fd, 'middle', 32 * 1024 * 1024)
  ftruncateSync(fd, 64 * 1024 * 1024)
  closeSync(fd)
  chmodSync(root, 0o750)
  chmodSync(join(root, 'read-only/deeper'), 0o555)
  chmodSync(join(root, 'read-only'), 0o555)
  // deepest first, so setting a child's time never moves its parent's
  const old = (rel: Buffer | string, t: number) => lutimesSync(typeof rel === 'string' ? join(root, rel) : rel, t, t)
  let t = 1_000_000_000
  for (const rel of ['loop-a', 'b', 'link-to-dir', 'dangling', bad('link-'), 'fifo', 'hard-1', 'sparse.img', bad('file-')]) old(rel, (t += 3600))
  for (const rel of ['real-dir/sub', 'real-dir', bad('dir-'), 'read-only/deeper', 'read-only', '.']) old(rel, (t += 3600))
}

/** `count` tiny files spread over `dirs` directories, written synchronously (fast). */
export function makeManyFiles(root: string, count: number, dirs = 10): void {
  for (let d = 0; d < dirs; d++) mkdirSync(join(root, `d${d}`), {recursive: true})
  for (let i = 0; i < count; i++) writeFileSync(join(root, `d${i % dirs}`, `f${i}.txt`), `${i}\n`)
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other'
  mode: number
  size?: number
  sha256?: string
  /** the link's target bytes, shown like names */
  target?: string
  mtimeS?: number | 'now'
  blocks?: number
  /** the other paths sharing this file's inode (with `hardLinks`) */
  linkedWith?: string
  uid: number
  gid: number
}

/**
 * A name's bytes as a key: the text itself when it is valid UTF-8, otherwise
 * `\xNN` escapes for every byte, so two names never share a key.
 */
function nameKey(name: Buffer): string {
  const text = name.toString('utf8')
  return Buffer.from(text, 'utf8').equals(name) && !text.includes('\\x') ? text : [...name].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')
}

export interface SnapshotOptions {
  /** directory and symlink mtimes too, and root's own entry as `.` (a copy that sets directory attributes last must get them right) */
  allTimes?: boolean
  /** which other paths of the tree each multiply linked file shares its inode with (`-H`) */
  hardLinks?: boolean
  /** files' allocated 512-byte blocks (`-S`, `--preallocate`) */
  allocation?: boolean
  /** an mtime at or after this (epoch seconds) reads as "now": two copies made a second apart both leave "now" where rsync sets no time */
  nowSince?: number
}

/**
 * Every entry under root by relative path, names read as bytes; file mtimes
 * (whole seconds) are in, directory mtimes are left out unless asked for
 * (copies touch them).
 */
export function snapshotTree(root: string, options: SnapshotOptions = {}): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>()
  const inodes = new Map<string, string[]>()
  const time = (ms: number): number | 'now' => (options.nowSince !== undefined && ms / 1000 >= options.nowSince ? 'now' : Math.floor(ms / 1000))
  const walk = (dir: Buffer, rel: string) => {
    const names = readdirSync(dir, {encoding: 'buffer'}).sort(Buffer.compare)
    for (const name of names) {
      const relPath = rel === '' ? nameKey(name) : `${rel}/${nameKey(name)}`
      const abs = Buffer.concat([dir, Buffer.from('/'), name])
      const st = lstatSync(abs)
      const base = {mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, ...(options.allTimes && !st.isFile() ? {mtimeS: time(st.mtimeMs)} : {})}
      if (options.hardLinks && !st.isDirectory() && st.nlink > 1) inodes.set(`${st.ino}`, [...(inodes.get(`${st.ino}`) ?? []), relPath])
      if (st.isDirectory()) {
        out.set(relPath, {type: 'dir', ...base})
        walk(abs, relPath)
      } else if (st.isSymbolicLink()) {
        out.set(relPath, {type: 'symlink', ...base, target: nameKey(readlinkSync(abs, {encoding: 'buffer'}))})
      } else if (st.isFile()) {
        const sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex')
        out.set(relPath, {type: 'file', ...base, size: st.size, sha256, mtimeS: time(st.mtimeMs), ...(options.allocation ? {blocks: st.blocks} : {})})
      } else {
        out.set(relPath, {type: 'other', ...base})
      }
    }
  }
  if (options.allTimes) {
    const st = lstatSync(root)
    out.set('.', {type: 'dir', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeS: time(st.mtimeMs)})
  }
  walk(Buffer.from(root), '')
  for (const group of inodes.values()) {
    for (const path of group) out.set(path, {...out.get(path)!, linkedWith: group.filter((p) => p !== path).join('|')})
  }
  return out
}

export interface DiffOptions extends SnapshotOptions {
  /** relative paths to leave out on both sides */
  ignore?: (rel: string) => boolean
  /** compare uid/gid too (default); off where ids are mapped, e.g. in a container */
  owners?: boolean
}

/** Differences between two trees, one line each; empty when they are identical. */
export function diffTrees(expected: string, actual: string, options: DiffOptions = {}): string[] {
  const ignore = options.ignore ?? (() => false)
  const skip = new Set<keyof TreeEntry>(options.owners === false ? ['uid', 'gid'] : [])
  const a = snapshotTree(expected, options)
  const b = snapshotTree(actual, options)
  const diffs: string[] = []
  for (const [path, entry] of a) {
    if (ignore(path)) continue
    const other = b.get(path)
    if (!other) {
      diffs.push(`missing: ${path}`)
      continue
    }
    const keys = new Set([...Object.keys(entry), ...Object.keys(other)] as Array<keyof TreeEntry>)
    for (const key of keys) {
      if (!skip.has(key) && entry[key] !== other[key]) diffs.push(`${path}: ${key} ${String(entry[key])} != ${String(other[key])}`)
    }
  }
  for (const path of b.keys()) if (!a.has(path) && !ignore(path)) diffs.push(`extra: ${path}`)
  return diffs
}

/** Relative paths of everything under root (for "nothing was created" checks). */
export function listTree(root: string): string[] {
  return [...snapshotTree(root).keys()]
}

const RSYNC_TEMP = /^\..+\.[A-Za-z0-9]{6}$/

/** rsync's `.name.XXXXXX` temporary file (with data in it) directly in `dir`: rsync is mid-file. */
export function rsyncTempIn(dir: string): string | undefined {
  try {
    return readdirSync(dir).find((n) => RSYNC_TEMP.test(n) && statSync(join(dir, n)).size > 0)
  } catch {
    return undefined
  }
}

/** rsync's `.name.XXXXXX` temporary files anywhere under root. */
export function leftovers(root: string): string[] {
  return listTree(root).filter((rel) => RSYNC_TEMP.test(rel.split('/').at(-1)!))
}

/** A file of dest that exists in src is either whole or a prefix of the source (a --partial leftover). */
export function partialOrWhole(srcFile: string, destFile: string): 'whole' | 'prefix' | 'corrupt' {
  const s = readFileSync(srcFile)
  const d = readFileSync(destFile)
  if (d.equals(s)) return 'whole'
  return d.length < s.length && s.subarray(0, d.length).equals(d) ? 'prefix' : 'corrupt'
}

/** A run's layout: a source tree, a destination path under a parent that exists, and a cwd holding no config. */
export interface Workspace {
  root: string
  src: string
  /** does not exist yet */
  dest: string
  cwd: string
}

export function makeWorkspace(fill: (src: string) => void = makeSampleTree): Workspace {
  const root = tempDir()
  const ws = {root, src: join(root, 'src'), dest: join(root, 'out/dest'), cwd: join(root, 'cwd')}
  mkdirSync(ws.src)
  mkdirSync(join(root, 'out'))
  mkdirSync(ws.cwd)
  fill(ws.src)
  return ws
}

/** The last `(xfr#N, to-chk=R/T)` that stock rsync prints copying `src` into a scratch dir: how rsync counts this tree. */
export function rsyncCounts(src: string): {current: number; total: number} {
  const scratch = tempDir('transporter-counts-')
  try {
    const out = execFileSync('rsync', ['-rlptgo', '--partial', '--info=progress2', '--', src, scratch], {encoding: 'latin1'})
    const all = [...out.matchAll(/\(xfr#(\d+), (?:to|ir)-chk=(\d+)\/(\d+)\)/g)]
    const last = all.at(-1)
    if (!last) throw new Error(`rsync printed no progress for ${src}`)
    return {current: Number(last[1]), total: Number(last[3])}
  } finally {
    cleanup(scratch)
  }
}
