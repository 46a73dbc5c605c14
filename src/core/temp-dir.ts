import {mkdirSync, readdirSync, rmSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'

/**
 * rsync writes each file to a temporary `.name.XXXXXX` and renames it into
 * place. A SIGKILL to rsync's process group (ours after the grace period, or
 * the OOM killer's) leaves that file behind. Giving rsync a private temp dir
 * next to the data lets transporter remove such leftovers after every attempt;
 * it lives on the destination's filesystem so the final rename stays cheap.
 */
export const TEMP_DIR_PREFIX = '.transporter-tmp-'

export interface TempDir {
  path: string
  /** rsync filter that keeps the dir out of the copy (and out of --delete's reach) */
  filter: string | undefined
}

const live = new Set<TempDir>()

/** Temp dirs of running copies, removed by the CLI on every exit path. */
export function trackTempDir(dir: TempDir | undefined): void {
  if (dir) live.add(dir)
}

export function untrackTempDir(dir: TempDir | undefined): void {
  if (dir) live.delete(dir)
}

export function removeAllTempDirs(): void {
  for (const dir of live) removeTempDir(dir)
  live.clear()
}

export function createTempDir(dest: string, runId: string): TempDir | undefined {
  const name = `${TEMP_DIR_PREFIX}${runId}`
  const trimmed = dest.length > 1 ? dest.replace(/\/+$/, '') : dest
  let base: string
  let inTransferRoot: boolean
  if (isDirectory(trimmed)) {
    base = trimmed
    inTransferRoot = true
  } else if (isDirectory(dirname(trimmed))) {
    // dest does not exist yet: rsync creates it. Don't create it here, or
    // "dest parent missing" would stop being an error.
    base = dirname(trimmed)
    inTransferRoot = false
  } else {
    return undefined
  }
  const path = join(base, name)
  try {
    mkdirSync(path, {mode: 0o700})
  } catch {
    return undefined
  }
  return {path, filter: inTransferRoot ? `--filter=P /${name}/` : undefined}
}

/** A private subdir for one of several rsync processes sharing the run's temp dir. */
export function subTempDir(dir: TempDir | undefined, index: number): TempDir | undefined {
  if (!dir) return undefined
  const path = join(dir.path, `w${index}`)
  try {
    mkdirSync(path, {mode: 0o700})
  } catch {
    return undefined
  }
  return {path, filter: dir.filter}
}

/** Removes what an attempt left in the temp dir (leftovers of a killed rsync). */
export function emptyTempDir(dir: TempDir | undefined): void {
  if (!dir) return
  try {
    for (const entry of readdirSync(dir.path)) rmSync(join(dir.path, entry), {recursive: true, force: true})
  } catch {
    // gone already: nothing to clean
  }
}

export function removeTempDir(dir: TempDir | undefined): void {
  if (!dir) return
  try {
    rmSync(dir.path, {recursive: true, force: true})
  } catch {
    // best effort: the directory holds only rsync's temporary files
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
