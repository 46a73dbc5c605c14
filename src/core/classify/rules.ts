/**
 * The seed classifier (spec §6) as data: the Go tool's code table, plus the
 * errno refinements this project adds for rsync codes 3, 11 and 23. Config
 * and plugin rules are appended after these; later rules win.
 */
import type {ClassifyRule, CopyClass} from '../../plugin-api.js'

type Row = [codes: number[], cls: CopyClass, exitCode: number, why: string]

const CODE_TABLE: Row[] = [
  [[0], 'ok', 0, 'rsync succeeded'],
  [[1, 4], 'usage', 22, 'rsync rejected its arguments: retrying cannot help'],
  [[3], 'fatal', 2, 'rsync could not select the files: a path is missing'],
  [[2, 5], 'fatal', 255, 'rsync could not talk to its peer: retrying cannot help'],
  [[10, 11, 12, 13], 'retryable', 5, 'an I/O error that may be transient'],
  [[23], 'partial', 13, 'some files were not transferred; retried'],
  [
    [24],
    'vanished',
    0,
    'source files vanished during the copy; retried without counting (5 times in a row), then success with a warning',
  ],
  [[14, 15, 16, 19, 20, 21, 22, 25, 30, 35, 124, 125, 126, 127, -10, -11, -12], 'retryable', 255, 'a failure that may be transient: retried'],
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

type ErrnoRow = [errno: number, name: string, cls: CopyClass, exitCode: number, severity: number, why: string]

// Severity ranks fatal errnos when several appear: a read-only file system
// explains every other write failure, a full disk explains the rest.
const ERRNO_TABLE: ErrnoRow[] = [
  [30, 'EROFS', 'fatal', 30, 50, 'the destination file system is read-only'],
  [28, 'ENOSPC', 'fatal', 28, 40, 'no space left on the destination: retrying a full disk wastes time'],
  [122, 'EDQUOT', 'fatal', 28, 40, 'disk quota exceeded on the destination: retrying wastes time'],
  [13, 'EACCES', 'fatal', 13, 30, 'permission denied'],
  [1, 'EPERM', 'fatal', 13, 30, 'operation not permitted'],
  [36, 'ENAMETOOLONG', 'fatal', 36, 20, 'a file name is too long for the destination'],
  [2, 'ENOENT', 'retryable', 2, 0, 'no such file or directory: the source may be changing'],
  [16, 'EBUSY', 'retryable', 16, 0, 'device or resource busy'],
  [5, 'EIO', 'retryable', 5, 0, 'I/O error on the storage'],
  [116, 'ESTALE', 'retryable', 5, 0, 'stale NFS file handle'],
]

function errnoRules(): ClassifyRule[] {
  return ERRNO_TABLE.map(([errno, name, cls, exitCode, severity, why]) => ({
    id: `errno:${errno} ${name}`,
    codes: [...ERRNO_CODES],
    errnos: [errno],
    class: cls,
    exitCode,
    severity,
    description: `rsync reported ${name} (${errno}): ${why}`,
  }))
}

export const DEFAULT_RULE: ClassifyRule = {
  id: 'default',
  class: 'retryable',
  exitCode: 255,
  description: 'an rsync code with no rule of its own: retried',
}

export const SIGNAL_RULE: ClassifyRule = {
  id: 'signal',
  signal: true,
  class: 'retryable',
  exitCode: 255,
  description: 'rsync was killed by a signal (OOM killer, kill -9): retried',
}

export const SEED_RULES: readonly ClassifyRule[] = Object.freeze([
  DEFAULT_RULE,
  ...codeRules(),
  // after the code rules: a killed rsync has no exit status worth reading
  SIGNAL_RULE,
  ...errnoRules(),
])
