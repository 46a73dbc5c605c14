import {join} from 'node:path'
import {readsRuleFiles} from '../rsync/args.js'
import type {RawAttempt} from '../rsync/attempt.js'
import type {ByteString} from './byte-string.js'
import type {PlanInput} from './plan.js'
import {listSource, type TreeEntry} from './source-listing.js'
import {EarlyDivision} from './early-division.js'
import {Spool} from './spool.js'
import {findWholeSubtrees} from './subtrees.js'
import {balancer, FileList, inShard, runAssigner, type SplitBase} from './work-split.js'

export interface FilledLists {
  /** rsync's listing of the source */
  listed: RawAttempt
  /** the lists, closed */
  lists: FileList[]
  /** the lists name whole subtrees: the workers run with -r */
  recursive: boolean
  /** with whole subtrees: the list of the directories several workers write into (and a `src/` copy's `.`) */
  shared?: string
}

/**
 * rsync's listing of the source into lists that `makeLists` opens (closed
 * when this returns). One list (a shard alone) is written as the listing
 * arrives. Several need the total load for their runs: the listing is
 * spooled and replayed, first to find the subtrees that fall wholly in one
 * run, then into the lists; while rsync is ending, if it has listed all it
 * will (early-division.ts).
 */
export async function fillLists(input: PlanInput, {base, prefix}: SplitBase, makeLists: () => FileList[]): Promise<FilledLists> {
  const shard = input.shard
  const inPart = (next: (entry: TreeEntry) => void) => (shard ? inShard(shard.index, shard.count, next, input.hardLinks) : next)
  const listing = {...input.listing, src: input.src, base, hardLinks: input.hardLinks === true, workDir: input.listDir}
  if (input.parallel === 1) {
    const lists = makeLists()
    try {
      const listed = await listSource(
        listing,
        inPart((entry) => lists[0]!.add(entry.rel)),
      )
      return {listed, lists, recursive: false}
    } finally {
      closeAll(lists)
    }
  }
  const spool = new Spool(join(input.listDir, 'listing'))
  try {
    const divide = () => divideInto(makeLists(), input, prefix, spool)
    const early = new EarlyDivision(() => spool.entries, divide)
    // a listing that fails throws past the division: nothing of it is divided
    const listed = await listSource(
      listing,
      inPart((entry) => spool.add(entry)),
    ).finally(() => early.stop())
    return {listed, ...(early.take() ?? divide())}
  } finally {
    spool.close()
  }
}

/** One division of what the spool holds into fresh lists (a list file of an earlier division is truncated). */
function divideInto(lists: FileList[], input: PlanInput, prefix: string, spool: Spool): Omit<FilledLists, 'listed'> {
  try {
    return {lists, ...divideSpool(input, prefix, spool, lists)}
  } finally {
    closeAll(lists)
  }
}

function closeAll(lists: readonly FileList[]): void {
  for (const list of lists) list.close()
}

type Divided = Omit<FilledLists, 'listed' | 'lists'>

/**
 * The spooled listing into the lists, in runs of equal load. A shard's part is spread over the tree by hash: its
 * directories are nearly all shared, so it lists every name. Rules read from files would not apply inside a
 * directory a worker recurses into (its --from0 reads them NUL-separated).
 */
function divideSpool(input: PlanInput, prefix: string, spool: Spool, lists: readonly FileList[]): Divided {
  const table =
    input.shard === undefined && !readsRuleFiles(input.listing.extraArgs)
      ? findWholeSubtrees((visit) => spool.replay(visit), runAssigner(lists.length, spool.totalLoad, input.hardLinks))
      : undefined
  if (table === undefined) {
    spool.replay(balancer(lists, spool.totalLoad, input.hardLinks))
    return {recursive: false}
  }
  const shared = new FileList(join(input.listDir, 'shared-dirs'))
  try {
    if (prefix === '') shared.add('.' as ByteString)
    spool.replay(balancer(lists, spool.totalLoad, input.hardLinks, {table, shared}))
    return {recursive: true, shared: shared.path}
  } finally {
    shared.close()
  }
}
