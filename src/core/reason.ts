/**
 * Reason texts for how an attempt started or a run was stopped; the exit and
 * signal forms live in go-reason.ts.
 */
export {signalReason} from './go-reason.js'

export function exitReason(code: number): string {
  return `exit status ${code}`
}

// Go's errno strings for the failures exec can hit; receivers of the old tool match on them.
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOEXEC: 'exec format error',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOMEM: 'cannot allocate memory',
  EAGAIN: 'resource temporarily unavailable',
}

export function startFailureReason(path: string, errnoCode: string | undefined): string {
  return `fork/exec ${path}: ${ERRNO_TEXT[errnoCode ?? ''] ?? (errnoCode ?? 'unknown error').toLowerCase()}`
}

export function terminatedReason(signal: string): string {
  return `terminated by ${signal}`
}
