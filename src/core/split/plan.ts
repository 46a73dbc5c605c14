import {statSync} from 'node:fs'
import {join} from 'node:path'
import {buildRsyncArgs} from '../rsync/args.js'
import {deletes} from './split-unsafe.js'
import {balancer, FileList, inShard, splitBase, walkTree} from './work-split.js'

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
}

/** One plan for a plain copy; N `--files-from` plans for --parallel N, over shard i's part with --shard i/N too. */
export async function planWork(input: PlanInput): Promise<WorkPlan[]> {
  const split = input.parallel > 1 || input.shard !== undefined
  if (!split || !isDirectory(input.src)) return [{src: input.src, args: (ctx) => buildRsyncArgs({...common(ctx), src: input.src})}]

  const {base, prefix} = splitBase(input.src)
  const lists = Array.from({length: input.parallel}, (_, i) => new FileList(join(input.listDir, `list-${i}`)))
  const balance = balancer(lists, input.hardLinks)
  try {
    walkTree(base, prefix, input.shard ? inShard(input.shard.index, input.shard.count, balance, input.hardLinks) : balance)
  } finally {
    for (const list of lists) list.close()
  }
  const used = lists.filter((l, i) => i === 0 || l.count > 0)
  const baseArg = base.endsWith('/') ? base : `${base}/`
  const shard = input.shard ? `shard ${input.shard.index}/${input.shard.count}` : undefined
  const worker = (i: number) => `worker ${i + 1}/${used.length}`
  // Workers write into directories another worker created: as non-root, keep them owner-writable while copying (a
  // 0555 source directory would otherwise lock the others out); the final directory pass sets the exact modes. Root
  // needs no write bit, and without the chmod a copy with --no-perms gives directories exactly a plain copy's modes.
  // A shard has no such pass (directories are shard 0's), so it keeps rsync's own modes.
  const during = input.shard === undefined && process.getuid?.() !== 0 ? ['--chmod=Du+w'] : []
  // the directories are list 0's of shard 0 (or of the whole tree); a `src/` copy's `.` comes with them
  const dot = (i: number) => (prefix === '' && i === 0 && (input.shard === undefined || input.shard.index === 0) ? 1 : 0)
  return used.map((list, i) => ({
    label: shard === undefined ? worker(i) : used.length === 1 ? shard : `${shard} ${worker(i)}`,
    src: baseArg,
    filesFrom: list.path,
    total: list.count + dot(i),
    args: (ctx: ArgsContext) => buildRsyncArgs({...common(ctx), extraArgs: [...workerArgs(ctx.extraArgs), ...during], src: baseArg, filesFrom: list.path}),
  }))
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
