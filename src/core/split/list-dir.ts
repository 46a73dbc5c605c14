import {mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

/** `transporter-lists-<pid>-XXXXXX`: the pid says whether the run that made it is still alive. */
const PREFIX = 'transporter-lists-'
const NAME = /^transporter-lists-(\d+)-[A-Za-z0-9]{6}$/

/**
 * Where the work lists of a split copy may live (spec §9): TMPDIR first, then
 * beside dest (its parent directory) when TMPDIR is missing, read-only or full.
 */
export function listDirBases(dest: string, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const bases = [env.TMPDIR && env.TMPDIR !== '' ? env.TMPDIR : tmpdir(), dirname(dest.replace(/\/+$/, '') || '/')]
  return [...new Set(bases)]
}

/** A private (0700) directory for this run's lists under `base`; mkdtemp is not recursive, so a read-only base says EROFS, not ENOENT. */
export async function makeListDir(base: string): Promise<string> {
  return mkdtemp(join(base, `${PREFIX}${process.pid}-`))
}

/** The errors that mean "try the next place", not "the copy is impossible". */
export function isPlaceProblem(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS' || code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR'
}

/** Removes list directories a killed run left under `base` (their pid is gone); another live run's are kept. */
export async function removeStaleListDirs(base: string): Promise<string[]> {
  let names: Buffer[]
  try {
    names = await readdir(base, {encoding: 'buffer'})
  } catch {
    return []
  }
  const removed: string[] = []
  for (const raw of names) {
    const m = NAME.exec(raw.toString('latin1'))
    if (m === null || isAlive(Number(m[1]))) continue
    const path = join(base, raw.toString('latin1'))
    await rm(path, {recursive: true, force: true})
    removed.push(path)
  }
  return removed
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive, someone else's
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
