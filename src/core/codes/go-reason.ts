/**
 * Go-style reason texts (`exit status 23`, `signal: killed`): the Go tool
 * sent these in its reports and receivers may already match on them.
 */

// Go's syscall signal strings (linux), which `exec.ExitError` prints.
const GO_SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGKILL: 'killed',
  SIGUSR1: 'user defined signal 1',
  SIGSEGV: 'segmentation fault',
  SIGUSR2: 'user defined signal 2',
  SIGPIPE: 'broken pipe',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
}

/** `signal: killed` for SIGKILL; unknown names keep their own text. */
export function signalReason(signal: string): string {
  return `signal: ${GO_SIGNAL_TEXT[signal] ?? signal}`
}

/** The reason text for an attempt that ended with `code` (and `signal` when killed). */
export function goReason(code: number, signal?: string, rsyncPath = 'rsync'): string {
  if (signal !== undefined) return signalReason(signal)
  switch (code) {
    case -1:
      return 'signal: killed'
    case -10:
      return 'pipe: failed to create pipes for rsync'
    case -11:
      return startFailureReason(rsyncPath, 'ENOENT')
    case -12:
      return 'wait: failed to wait for rsync'
    default:
      return exitReason(code)
  }
}

export function exitReason(code: number): string {
  return `exit status ${code}`
}

// Go's errno strings for the failures exec can hit; receivers of the old tool match on them.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOEXEC: 'exec format error',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOMEM: 'cannot allocate memory',
  EAGAIN: 'resource temporarily unavailable',
}

/** `fork/exec <path>: <errno text>`: rsync could not be started. */
export function startFailureReason(path: string, errnoCode: string | undefined): string {
  return `fork/exec ${path}: ${ERRNO_TEXT[errnoCode ?? ''] ?? (errnoCode ?? 'unknown error').toLowerCase()}`
}

/** The reason of a run stopped by a signal to transporter itself. */
export function terminatedReason(signal: string): string {
  return `terminated by ${signal}`
}
