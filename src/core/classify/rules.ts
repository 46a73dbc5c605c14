/**
 * The seed classifier (spec §6) as data: the Go tool's code table, plus the
 * errno refinements this project adds for rsync codes 3, 11 and 23. Config
 * and plugin rules are appended after these; later rules win.
 */
import type {ClassifyRule, CopyClass} from '../../plugin-api.js'
import {ERRNO_EXIT} from '../codes/errno.js'
import {EXIT} from '../codes/exit.js'

type Row = [codes: number[], cls: CopyClass, exitCode: number, why: string]

const CODE_TABLE: Row[] = [
  [[0], 'ok', EXIT.Succeed, 'rsync succeeded'],
  [[1, 4], 'usage', EXIT.ErrInvalidArgument, 'rsync rejected its arguments: retrying cannot help'],
  [[3], 'fatal', EXIT.ErrNoSuchFileOrDir, 'rsync could not select the files: a path is missing'],
  [[2, 5], 'fatal', EXIT.ErrSystem, 'rsync could not talk to its peer: retrying cannot help'],
  [[10, 11, 12, 13], 'retryable', EXIT.ErrIOError, 'an I/O error that may be transient'],
  [[23], 'partial', EXIT.ErrPermissionDenied, 'some files were not transferred; retried'],
  [[24], 'vanished', EXIT.Succeed, 'source files vanished during the copy; retried without counting (5 times in a row), then success with a warning'],
  [[14, 15, 16, 19, 20, 21, 22, 25, 30, 35, 124, 125, 126, 127, -10, -11, -12], 'retryable', EXIT.ErrSystem, 'a failure that may be transient: retried'],
]

function codeRules(): ClassifyRule[] {
  const rules: ClassifyRule[] = []
  for (const [codes, cls, exitCode, why] of CODE_TABLE) {
    for (const code of codes) {
      rules.push({id: `code:${code}`, codes: [code], class: cls, exitCode, description: `rsync ${code}: ${why}`})
    }
  }
  return rules
}

/** Codes whose stderr is searched for an errno. */
export const ERRNO_CODES: readonly number[] = [3, 11, 23]

type ErrnoRow = [name: keyof typeof ERRNO_EXIT, cls: CopyClass, severity: number, why: string]

// Severity ranks fatal errnos when several appear: a read-only file system
// explains every other write failure, a full disk explains the rest.
const ERRNO_TABLE: ErrnoRow[] = [
  ['EROFS', 'fatal', 50, 'the destination file system is read-only'],
  ['ENOSPC', 'fatal', 40, 'no space left on the destination: retrying a full disk wastes time'],
  ['EDQUOT', 'fatal', 40, 'disk quota exceeded on the destination: retrying wastes time'],
  ['EACCES', 'fatal', 30, 'permission denied'],
  ['EPERM', 'fatal', 30, 'operation not permitted'],
  ['ENAMETOOLONG', 'fatal', 20, 'a file name is too long for the destination'],
  ['ENOENT', 'retryable', 0, 'no such file or directory: the source may be changing'],
  ['EBUSY', 'retryable', 0, 'device or resource busy'],
  ['EIO', 'retryable', 0, 'I/O error on the storage'],
  ['ESTALE', 'retryable', 0, 'stale NFS file handle'],
]

function errnoRules(): ClassifyRule[] {
  return ERRNO_TABLE.map(([name, cls, severity, why]) => {
    const {errno, exitCode} = ERRNO_EXIT[name]!
    return {
      id: `errno:${errno} ${name}`,
      codes: [...ERRNO_CODES],
      errnos: [errno],
      class: cls,
      exitCode,
      severity,
      description: `rsync reported ${name} (${errno}): ${why}`,
    }
  })
}

export const DEFAULT_RULE: ClassifyRule = {
  id: 'default',
  class: 'retryable',
  exitCode: EXIT.ErrSystem,
  description: 'an rsync code with no rule of its own: retried',
}

export const SIGNAL_RULE: ClassifyRule = {
  id: 'signal',
  signal: true,
  class: 'retryable',
  exitCode: EXIT.ErrSystem,
  description: 'rsync was killed by a signal (OOM killer, kill -9): retried',
}

export const SEED_RULES: readonly ClassifyRule[] = Object.freeze([
  DEFAULT_RULE,
  ...codeRules(),
  // after the code rules: a killed rsync has no exit status worth reading
  SIGNAL_RULE,
  ...errnoRules(),
])
