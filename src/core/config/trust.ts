import {accessSync, constants, realpathSync, statSync, type Stats} from 'node:fs'
import {dirname} from 'node:path'

/**
 * Whether a config file may be trusted to run as this process's user, like
 * OpenSSH's StrictModes: a config can name the rsync binary and, as
 * JavaScript, is code — so neither the file nor the directory holding it may
 * be writable by anyone but its owner, and the owner must be us or root.
 *
 * Returns why the file is refused, or undefined when it is fine.
 */
export function configTrustProblem(file: string, euid: number): string | undefined {
  const checks: Array<[string, string]> = [[file, 'the file']]
  checks.push([dirname(file), 'its directory'])
  // A symlinked config is judged where it really lives too.
  const real = realOrUndefined(file)
  if (real !== undefined && real !== file) checks.push([real, `the file it links to (${real})`], [dirname(real), `the directory of ${real}`])
  for (const [path, what] of checks) {
    const st = statOrUndefined(path)
    if (st === undefined) continue
    const problem = modeProblem(st, euid, path)
    if (problem !== undefined) return `${what} ${problem}`
  }
  return undefined
}

function modeProblem(st: Stats, euid: number, path: string): string | undefined {
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0')
  if (st.uid !== euid && st.uid !== 0) return `is owned by uid ${st.uid}, not by uid ${euid} or root`
  const writers = [st.mode & 0o020 ? 'group' : '', st.mode & 0o002 ? 'others' : ''].filter((w) => w !== '')
  if (writers.length > 0 && !onReadOnlyMount(path)) return `is writable by ${writers.join(' and ')} (mode ${mode})`
  return undefined
}

/**
 * Nobody can write on a read-only mount whatever the mode says: a Kubernetes
 * ConfigMap volume is a 0777 directory mounted read-only.
 */
function onReadOnlyMount(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS'
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

/** The effective uid; -1 where there is none (not POSIX), which no file matches but root's. */
export function effectiveUid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : -1
}
