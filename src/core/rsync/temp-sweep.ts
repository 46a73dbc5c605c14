import {lstat, readdir, rm} from 'node:fs/promises'
import {dirname, join, relative} from 'node:path'

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
const RSYNC_TEMP = /^\..+\.[A-Za-z0-9]{6}$/

/** rsync codes after which one of rsync's processes may have died without cleaning up. */
const UNCLEAN_CODES = new Set([-1, 10, 12, 14, 15, 16, 19, 20, 21])

export function mayLeaveTempFiles(code: number, interrupted: boolean): boolean {
  return interrupted || UNCLEAN_CODES.has(code)
}

/**
 * Removes rsync temp files in `dest` written since `since` (epoch ms) that have
 * no counterpart in the source: a file of that name in the source is data,
 * never a leftover. Returns the removed paths.
 */
export async function sweepRsyncTemps(src: string, dest: string, since: number): Promise<string[]> {
  // `src/` copies its contents into dest; `src` copies the directory itself, so paths under dest start with its name.
  const srcBase = src.endsWith('/') ? src : dirname(src)
  const removed: string[] = []
  const walk = async (dir: string): Promise<void> => {
    let names: string[]
    try {
      names = await readdir(dir)
    } catch {
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      let info
      try {
        info = await lstat(path)
      } catch {
        continue
      }
      if (info.isDirectory()) {
        await walk(path)
        continue
      }
      if (!info.isFile() || !RSYNC_TEMP.test(name) || (info.mode & 0o777) !== 0o600 || info.mtimeMs < since - 2000) continue
      if (await exists(join(srcBase, relative(dest, path)))) continue
      await rm(path, {force: true})
      removed.push(path)
    }
  }
  if (await exists(dest)) await walk(dest)
  return removed
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}
