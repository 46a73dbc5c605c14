import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
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
  target?: string
  mtimeS?: number
  uid: number
  gid: number
}

/** Every entry under root by relative path; directory mtimes are left out on purpose (copies touch them). */
export function snapshotTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>()
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const relPath = rel === '' ? name : `${rel}/${name}`
      const abs = join(root, relPath)
      const st = lstatSync(abs)
      const base = {mode: st.mode & 0o7777, uid: st.uid, gid: st.gid}
      if (st.isDirectory()) {
        out.set(relPath, {type: 'dir', ...base})
        walk(relPath)
      } else if (st.isSymbolicLink()) {
        out.set(relPath, {type: 'symlink', ...base, target: readlinkSync(abs)})
      } else if (st.isFile()) {
        const sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex')
        out.set(relPath, {type: 'file', ...base, size: st.size, sha256, mtimeS: Math.floor(st.mtimeMs / 1000)})
      } else {
        out.set(relPath, {type: 'other', ...base})
      }
    }
  }
  walk('')
  return out
}

/** Differences between two trees, one line each; empty when they are identical. */
export function diffTrees(expected: string, actual: string): string[] {
  const a = snapshotTree(expected)
  const b = snapshotTree(actual)
  const diffs: string[] = []
  for (const [path, entry] of a) {
    const other = b.get(path)
    if (!other) {
      diffs.push(`missing: ${path}`)
      continue
    }
    for (const key of Object.keys(entry) as Array<keyof TreeEntry>) {
      if (entry[key] !== other[key]) diffs.push(`${path}: ${key} ${String(entry[key])} != ${String(other[key])}`)
    }
  }
  for (const path of b.keys()) if (!a.has(path)) diffs.push(`extra: ${path}`)
  return diffs
}

/** Relative paths of everything under root (for "nothing was created" checks). */
export function listTree(root: string): string[] {
  return [...snapshotTree(root).keys()]
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
