import {readdirSync, statSync} from 'node:fs'
import {lstat, readdir, rename, rm, utimes} from 'node:fs/promises'
import {dirname} from 'node:path'

/**
 * rsync writes each file to `.<name>.XXXXXX` (mode 0600) beside its final
 * place and renames it when complete. On SIGTERM/SIGINT/SIGHUP rsync removes
 * it; a SIGKILL (transporter's own after the grace period, or the OOM killer's,
 * possibly of the receiver alone) leaves it behind. After such an attempt the
 * destination is swept for exactly those files.
 *
 * A private `--temp-dir` would avoid the sweep but makes every small file cost
 * a cross-directory rename: ~50 % more time on 10,000 small files here, against a
 * 5 % overhead budget (see docs/adr/0004-temp-file-sweep.md).
 */
/** rsync codes after which one of rsync's processes may have died without cleaning up. */
const UNCLEAN_CODES = new Set([-1, 10, 12, 14, 15, 16, 19, 20, 21])

export function mayLeaveTempFiles(code: number, interrupted: boolean): boolean {
  return interrupted || UNCLEAN_CODES.has(code)
}

/**
 * Removes the temp files a dead rsync of this copy left in `dest`: written
 * since `since` (epoch ms), mode 0600, named `.<target>.XXXXXX` where
 * `<target>` is a file of this copy's source, with no source file of the temp
 * name itself (that is data), and held open by no live process — another
 * worker, shard or run writing into the same dest keeps its files. `owns`
 * narrows the sweep to the files of this run's part (a shard's, by the path
 * relative to dest). A temp file `keep` accepts (final path, size) becomes
 * the partial file under its final name instead, as rsync's own --partial
 * leaves it (mtime 0), to be resumed (resume.ts). Names are bytes throughout.
 * Returns the removed paths (for the log line).
 */
export async function sweepRsyncTemps(
  src: string,
  dest: string,
  since: number,
  owns: (rel: Buffer) => boolean = () => true,
  keep?: (final: Buffer, size: number) => boolean,
): Promise<string[]> {
  // `src/` copies its contents into dest; `src` copies the directory itself, so paths under dest start with its name.
  const srcBase = Buffer.from(src.endsWith('/') ? src : dirname(src))
  const destRoot = Buffer.from(dest)
  if (!(await exists(destRoot))) return []
  const open = openFiles()
  const removed: string[] = []
  const walk = async (dir: Buffer, rel: Buffer): Promise<void> => {
    let names: Buffer[]
    try {
      names = await readdir(dir, {encoding: 'buffer'})
    } catch {
      return
    }
    for (const name of names) {
      const path = joinBytes(dir, name)
      const relPath = rel.length === 0 ? name : joinBytes(rel, name)
      let info
      try {
        info = await lstat(path)
      } catch {
        continue
      }
      if (info.isDirectory()) {
        await walk(path, relPath)
        continue
      }
      const target = tempTarget(name)
      if (target === undefined || !info.isFile() || (info.mode & 0o777) !== 0o600 || info.mtimeMs < since - 2000) continue
      const srcDir = rel.length === 0 ? srcBase : joinBytes(srcBase, rel)
      // a source file of this very name is data; a temp of a file this copy does not have is not ours
      if (await exists(joinBytes(srcDir, name))) continue
      if (!(await isFile(joinBytes(srcDir, target)))) continue
      // a shard's temp files are those of its own part: another shard's writer may live where /proc cannot see it
      if (!owns(rel.length === 0 ? target : joinBytes(rel, target))) continue
      if (open.has(`${info.dev}:${info.ino}`)) continue
      const final = joinBytes(dir, target)
      if (keep !== undefined && (await isFileOrAbsent(final)) && keep(final, info.size)) {
        await rename(path, final)
        await utimes(final, 0, 0)
        continue
      }
      await rm(path, {force: true})
      removed.push(path.toString())
    }
  }
  await walk(destRoot, Buffer.alloc(0))
  return removed
}

/** `.name.XXXXXX` → `name`; undefined for any other name. */
export function tempTarget(name: Buffer): Buffer | undefined {
  // rsync's mkstemp suffix: six letters or digits after the last dot
  if (name.length < 9 || name[0] !== 0x2e || name[name.length - 7] !== 0x2e) return undefined
  const suffix = name.subarray(name.length - 6)
  if (!/^[A-Za-z0-9]{6}$/.test(suffix.toString('latin1'))) return undefined
  return name.subarray(1, name.length - 7)
}

/** dev:ino of every file some process on this machine has open (/proc/<pid>/fd), as far as we may look. */
export function openFiles(): Set<string> {
  const open = new Set<string>()
  let pids: string[]
  try {
    // /proc's names are ASCII; read as bytes like every other directory here
    pids = readdirSync('/proc', {encoding: 'buffer'})
      .map((p) => p.toString('latin1'))
      .filter((p) => /^\d+$/.test(p))
  } catch {
    return open
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`, {encoding: 'buffer'}).map((fd) => fd.toString('latin1'))
    } catch {
      continue // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        const st = statSync(`/proc/${pid}/fd/${fd}`)
        if (st.isFile()) open.add(`${st.dev}:${st.ino}`)
      } catch {
        // closed meanwhile
      }
    }
  }
  return open
}

function joinBytes(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name])
}

async function exists(path: Buffer): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** A regular file, or nothing: a partial may take that name (a directory or a link there is left alone). */
async function isFileOrAbsent(path: Buffer): Promise<boolean> {
  try {
    return (await lstat(path)).isFile()
  } catch {
    return true
  }
}

async function isFile(path: Buffer): Promise<boolean> {
  try {
    return (await lstat(path)).isFile()
  } catch {
    return false
  }
}
