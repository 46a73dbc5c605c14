import {existsSync, mkdirSync} from 'node:fs'
import {mkdir, stat} from 'node:fs/promises'
import {dirname} from 'node:path'
import {exitForErrno} from '../codes/errno.js'
import {destDirError} from '../codes/errors.js'
import {EXIT} from '../codes/exit.js'

/** The errnos --dest-dir names by their own code (spec §3); the rest are 255. */
const MAPPED = ['EACCES', 'EPERM', 'EROFS']

/**
 * `--dest-dir`: mkdir -p with mode 0775 & ~umask. On a hung NFS mount mkdir
 * never returns; after `timeoutMs` transporter gives up with 255 instead of
 * hanging the Job (the syscall itself cannot be cancelled).
 */
export async function ensureDestDir(dest: string, timeoutMs = 120_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          destDirError(`creating dest dir ${dest} took longer than ${timeoutMs / 1000} s`, EXIT.ErrSystem, {
            hint: 'the filesystem may be hung (NFS server unreachable?)',
          }),
        ),
      timeoutMs,
    )
    timer.unref()
  })
  try {
    await Promise.race([create(dest), timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function create(dest: string): Promise<void> {
  try {
    await mkdir(dest, {recursive: true, mode: 0o775})
  } catch (error) {
    const code = await realErrno(dest, (error as NodeJS.ErrnoException).code)
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw destDirError(`cannot create dest dir ${dest}: a path component exists and is not a directory`, EXIT.ErrSystem, {cause: error})
    }
    const text = code === 'EROFS' ? 'read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message
    throw destDirError(`cannot create dest dir ${dest}: ${text}`, exitForErrno(code, MAPPED), {cause: error})
  }
  // mkdir -p succeeds silently when dest already exists; it must be a directory.
  const info = await stat(dest)
  if (!info.isDirectory()) throw destDirError(`dest ${dest} exists and is not a directory`, EXIT.ErrSystem)
}

/**
 * Node's recursive mkdir reports ENOENT for a parent it could not create on
 * a read-only or forbidden file system. Creating the first missing
 * component alone gives the kernel's real answer.
 */
async function realErrno(dest: string, code: string | undefined): Promise<string | undefined> {
  if (code !== 'ENOENT') return code
  let missing = dest
  while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing)
  try {
    await mkdir(missing, {mode: 0o775})
    return code
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? code
  }
}

/**
 * A split copy's rsyncs start together and each creates a missing dest the
 * way one rsync would (its last component, mode 0777 & ~umask); the one that
 * loses the race between its stat and its mkdir fails with 11 (`mkdir …
 * File exists (17)`). Creating it once before they start, as rsync would,
 * takes the race away. Any other failure is left to rsync to report, as the
 * plain copy would.
 */
export function makeDestForWorkers(dest: string): void {
  try {
    mkdirSync(dest, 0o777)
  } catch {
    // there already (another shard made it), or rsync will say why it cannot be
  }
}
