import {statSync} from 'node:fs'
import {join} from 'node:path'
import {buildRsyncArgs} from '../rsync/args.js'
import type {RawAttempt} from '../rsync/attempt.js'
import {fillLists} from './fill-lists.js'
import {bypassesPermissions} from './permissions.js'
import type {ListingInput} from './source-listing.js'
import {deletes} from './split-unsafe.js'
import {asDirectory, FileList, splitBase} from './work-split.js'

export interface ArgsContext {
  progress: boolean
  dryRun: boolean
  extraArgs: readonly string[]
  dest: string
}

/** One rsync process's share of the work. */
export interface WorkPlan {
  label?: string
  /** what rsync is given as SRC (the split base for a split copy) */
  src: string
  /** the NUL-separated list of this part, relative to `src` */
  filesFrom?: string
  /**
   * The entries this part counts, as a plain copy counts them (spec §9): its
   * listed entries, plus `.` of a `src/` copy for the part that holds the
   * directories. rsync's own count also has `.` and the directories a list
   * implies in every part, so summing those over-counts.
   */
  total?: number
  args(ctx: ArgsContext): string[]
}

export interface PlanInput {
  src: string
  parallel: number
  shard?: {index: number; count: number} | undefined
  listDir: string
  /** -H: every name of a hard-linked file goes to the part of its first name */
  hardLinks?: boolean
  /** how rsync lists the source for a split copy */
  listing: Omit<ListingInput, 'src' | 'base' | 'hardLinks'>
}

export interface SplitPlan {
  plans: WorkPlan[]
  /** rsync's listing of the source (a split copy only): a 23 or 24 in it is the copy's too */
  listed?: RawAttempt
  /**
   * --parallel with whole subtrees: the directories several workers wrote into (and a `src/` copy's `.`), the
   * only ones the directory pass must visit; undefined when it must visit every directory
   */
  sharedDirs?: string
}

/**
 * One plan for a plain copy; N `--files-from` plans for --parallel N, over
 * shard i's part with --shard i/N too. A listing stopped by a signal leaves
 * whatever it listed: the run is stopping and copies nothing.
 */
export async function planWork(input: PlanInput): Promise<SplitPlan> {
  const split = input.parallel > 1 || input.shard !== undefined
  if (!split || !isDirectory(input.src)) return {plans: [{src: input.src, args: (ctx) => buildRsyncArgs({...common(ctx), src: input.src})}]}

  const {base, prefix} = splitBase(input.src)
  const makeLists = () => Array.from({length: input.parallel}, (_, i) => new FileList(join(input.listDir, `list-${i}`)))
  const {listed, lists, recursive, shared} = await fillLists(input, {base, prefix}, makeLists)
  const used = lists.filter((l, i) => i === 0 || l.count > 0)
  const baseArg = asDirectory(base)
  const shard = input.shard ? `shard ${input.shard.index}/${input.shard.count}` : undefined
  const worker = (i: number) => `worker ${i + 1}/${used.length}`
  // Workers write into directories another worker created: unless permissions are bypassed (root with
  // CAP_DAC_OVERRIDE), keep them owner-writable while copying (a 0555 source directory would otherwise lock the others
  // out); the final directory pass sets the exact modes. A process that bypasses them needs no write bit, and without
  // the chmod a copy with --no-perms gives directories exactly a plain copy's modes.
  // A shard has no such pass (directories are shard 0's), so it keeps rsync's own modes.
  const during = input.shard === undefined && !bypassesPermissions() ? ['--chmod=Du+w'] : []
  // the directories are list 0's of shard 0 (or of the whole tree); a `src/` copy's `.` comes with them
  const dot = (i: number) => (prefix === '' && i === 0 && (input.shard === undefined || input.shard.index === 0) ? 1 : 0)
  const plans = used.map((list, i) => ({
    label: shard === undefined ? worker(i) : used.length === 1 ? shard : `${shard} ${worker(i)}`,
    src: baseArg,
    filesFrom: list.path,
    total: list.count + dot(i),
    args: (ctx: ArgsContext) =>
      buildRsyncArgs({
        ...common(ctx),
        // dest is a directory whatever a part holds: given one file and a missing dest, rsync would write that file as dest
        dest: asDirectory(ctx.dest),
        extraArgs: [...workerArgs(ctx.extraArgs), ...during],
        src: baseArg,
        filesFrom: list.path,
        recursive,
      }),
  }))
  // when every directory was kept owner-writable while the workers ran, the pass must give each its mode
  const sharedDirs = shared !== undefined && during.length === 0 ? shared : undefined
  return {plans, listed, ...(sharedDirs === undefined ? {} : {sharedDirs})}
}

/**
 * A worker sees its own part only: it never deletes (one pass after all
 * workers does, see run/delete-pass.ts). With --delete a plain copy replaces
 * a non-empty directory in dest by the source's file; --force lets a worker
 * do the same without deleting anything else.
 */
function workerArgs(extraArgs: readonly string[]): string[] {
  if (!deletes(extraArgs)) return [...extraArgs]
  return [...extraArgs.filter((a) => !a.startsWith('--delete')), '--force']
}

function common(ctx: ArgsContext) {
  return {
    dest: ctx.dest,
    progress: ctx.progress,
    dryRun: ctx.dryRun,
    extraArgs: ctx.extraArgs,
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
