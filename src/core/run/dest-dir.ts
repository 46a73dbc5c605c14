import {mkdir, stat} from 'node:fs/promises'
import {TransporterError} from '../codes/errors.js'

/**
 * `--dest-dir`: mkdir -p with mode 0775 & ~umask. On a hung NFS mount mkdir
 * never returns; after `timeoutMs` transporter gives up with 255 instead of
 * hanging the Job (the syscall itself cannot be cancelled).
 */
export async function ensureDestDir(dest: string, timeoutMs = 120_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransporterError('system', `creating dest dir ${dest} took longer than ${timeoutMs / 1000} s`, {
      exitCode: 255, hint: 'the filesystem may be hung (NFS server unreachable?)',
    })), timeoutMs)
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
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM') {
      throw new TransporterError('system', `cannot create dest dir ${dest}: permission denied`, {exitCode: 13, cause: error})
    }
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new TransporterError('system', `cannot create dest dir ${dest}: a path component exists and is not a directory`, {exitCode: 255, cause: error})
    }
    throw new TransporterError('system', `cannot create dest dir ${dest}: ${(error as Error).message}`, {exitCode: 255, cause: error})
  }
  // mkdir -p succeeds silently when dest already exists; it must be a directory.
  const info = await stat(dest)
  if (!info.isDirectory()) {
    throw new TransporterError('system', `dest ${dest} exists and is not a directory`, {exitCode: 255})
  }
}
