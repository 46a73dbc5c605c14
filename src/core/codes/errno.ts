import {EXIT, type ExitCode} from './exit.js'

/**
 * The one errno → exit code table (spec §6), by name and number. The
 * classifier reads rsync's numeric errnos; mount checks, --dest-dir and the
 * split read Node's string codes. Each caller says which errnos it maps
 * (spec §3, §4: the rest are 255 there).
 */
export const ERRNO_EXIT: Readonly<Record<string, {errno: number; exitCode: ExitCode}>> = {
  EPERM: {errno: 1, exitCode: EXIT.ErrPermissionDenied},
  ENOENT: {errno: 2, exitCode: EXIT.ErrNoSuchFileOrDir},
  EIO: {errno: 5, exitCode: EXIT.ErrIOError},
  EACCES: {errno: 13, exitCode: EXIT.ErrPermissionDenied},
  EBUSY: {errno: 16, exitCode: EXIT.ErrDeviceIsBusy},
  ENOSPC: {errno: 28, exitCode: EXIT.ErrNoSpaceLeftOnDevice},
  EROFS: {errno: 30, exitCode: EXIT.ErrFileSystemIsReadOnly},
  ENAMETOOLONG: {errno: 36, exitCode: EXIT.ErrFileNameTooLong},
  ESTALE: {errno: 116, exitCode: EXIT.ErrIOError},
  EDQUOT: {errno: 122, exitCode: EXIT.ErrNoSpaceLeftOnDevice},
}

/** The exit code for Node's `error.code` when it is one of `mapped`; ErrSystem otherwise. */
export function exitForErrno(code: string | undefined, mapped: readonly string[]): ExitCode {
  if (code === undefined || !mapped.includes(code)) return EXIT.ErrSystem
  return ERRNO_EXIT[code]?.exitCode ?? EXIT.ErrSystem
}
