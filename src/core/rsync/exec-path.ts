import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, join} from 'node:path'

/** Where `name` would be executed from, as execvp would find it; or the errno that stops it. */
export function resolveExecutable(name: string, pathEnv: string | undefined): {path: string} | {errno: string} {
  if (name.includes('/')) return check(name)
  let firstError = 'ENOENT'
  for (const dir of (pathEnv ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    if (dir === '') continue
    const found = check(join(dir, name))
    if ('path' in found) return found
    if (found.errno !== 'ENOENT' && firstError === 'ENOENT') firstError = found.errno
  }
  return {errno: firstError}
}

function check(path: string): {path: string} | {errno: string} {
  try {
    // a PATH entry without the name is the common case: no exception is made for it
    const st = statSync(path, {throwIfNoEntry: false})
    if (st === undefined) return {errno: 'ENOENT'}
    if (st.isDirectory()) return {errno: 'EACCES'}
    accessSync(path, constants.X_OK)
    return {path}
  } catch (error) {
    return {errno: (error as NodeJS.ErrnoException).code ?? 'ENOENT'}
  }
}

/**
 * util-linux's setpriv, when present: `setpriv --pdeathsig SIGTERM` makes the
 * kernel send rsync SIGTERM if transporter dies without running its exit
 * handlers (SIGKILL, OOM kill), so rsync cleans up and never outlives it.
 */
export function findSetpriv(): string | undefined {
  for (const path of ['/usr/bin/setpriv', '/bin/setpriv']) {
    if ('path' in check(path)) return path
  }
  return undefined
}
