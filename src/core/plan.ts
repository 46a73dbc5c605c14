import {mkdir} from 'node:fs/promises'
import {statSync} from 'node:fs'
import {join} from 'node:path'
import {buildRsyncArgs} from './rsync-args.js'
import {balance, shardEntries, splitBase, walkTree, writeFileList, type TreeEntry} from './work-split.js'

export interface ArgsContext {
  progress: boolean
  dryRun: boolean
  extraArgs: readonly string[]
  dest: string
}

/** One rsync process's share of the work. */
export interface WorkPlan {
  label?: string
  args(ctx: ArgsContext): string[]
}

export interface PlanInput {
  src: string
  parallel: number
  shard?: {index: number; count: number} | undefined
  listDir: string
}

/** One plan for a plain copy; N `--files-from` plans for --parallel; one for --shard i/N. */
export async function planWork(input: PlanInput): Promise<WorkPlan[]> {
  const split = input.parallel > 1 || input.shard !== undefined
  if (!split || !isDirectory(input.src)) return [{args: (ctx) => buildRsyncArgs({...common(ctx), src: input.src})}]

  const {base, prefix} = splitBase(input.src)
  const entries = await walkTree(base, prefix)
  let lists: TreeEntry[][]
  let labels: string[]
  if (input.shard) {
    lists = [shardEntries(entries, input.shard.index, input.shard.count)]
    labels = [`shard ${input.shard.index}/${input.shard.count}`]
  } else {
    lists = balance(entries, input.parallel).filter((l, i) => i === 0 || l.length > 0)
    labels = lists.map((_, i) => `worker ${i + 1}/${lists.length}`)
  }
  await mkdir(input.listDir, {recursive: true, mode: 0o700})
  const baseArg = base.endsWith('/') ? base : `${base}/`
  return Promise.all(
    lists.map(async (list, i) => {
      const file = join(input.listDir, `list-${i}`)
      await writeFileList(file, list)
      return {label: labels[i]!, args: (ctx: ArgsContext) => buildRsyncArgs({...common(ctx), src: baseArg, filesFrom: file})}
    }),
  )
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
