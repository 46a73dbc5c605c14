import type {MountCheck} from '../../plugin-api.js'
import {exitForErrno} from '../codes/errno.js'
import {mountError} from '../codes/errors.js'
import {EXIT} from '../codes/exit.js'
import {MSG_CHECK_MOUNT} from '../codes/messages.js'

/** Linux PATH_MAX, including the terminating NUL */
const PATH_MAX = 4096

/** The errnos a mount check names by their own code (spec §4); the rest are 255. */
const MAPPED = ['ENOENT', 'EACCES', 'EPERM', 'EROFS']

/**
 * The original checked `dest` cut at its last `/` (`/a/b/c` → `/a/b`, `/x` → `/`).
 * Trailing slashes are dropped first: `/a/b/c/` is the same dest as `/a/b/c`,
 * and its parent is `/a/b`, not the (maybe not yet existing) dest itself.
 */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  const cut = trimmed.lastIndexOf('/')
  return cut <= 0 ? '/' : trimmed.slice(0, cut)
}

/** Runs every mount check on src and dest's parent, in that order; the first failure ends the run. */
export async function runMountChecks(checks: ReadonlyArray<{id: string; check: MountCheck}>, src: string, dest: string): Promise<void> {
  // The checks look at dest's parent only; a dest no syscall can take would
  // otherwise reach rsync, fail with a diagnostics error (13) and be retried.
  if (Buffer.byteLength(dest) >= PATH_MAX) {
    throw mountError(
      `dest path is ${Buffer.byteLength(dest)} bytes, longer than the system allows (${PATH_MAX - 1})`,
      EXIT.ErrFileNameTooLong,
      'shorten the destination path',
    )
  }
  for (const {id, check} of checks) {
    for (const [role, path] of [
      ['src', src],
      ['dest', parentOf(dest)],
    ] as const) {
      const result = await check.check(path, role)
      if (result.ok) continue
      throw mountError(`${MSG_CHECK_MOUNT} ,err: ${result.reason}`, exitForErrno(result.errno, MAPPED), `mount check "${id}" refused ${role} ${path}`)
    }
  }
}
