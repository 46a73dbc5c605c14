import type {CopyComponents, CopyRequest, CopyRuntime} from './copy.js'
import type {LoopOutcome} from './attempt-loop.js'
import {applyDeletes, applyDirAttributes, type DirPassInput} from './dir-attributes.js'
import {deletes} from '../split/split-unsafe.js'
import type {WorkPlan} from '../split/plan.js'

export interface SplitContext {
  plans: readonly WorkPlan[]
  /** the directories the directory pass must visit, when not all (plan.ts) */
  sharedDirs?: string | undefined
  req: CopyRequest
  components: CopyComponents
  rt: CopyRuntime
}

/**
 * When --parallel deletes. A plain copy deletes in each directory before it
 * copies into it (--delete, --delete-during, --delete-before), which decides
 * what a file copied through a symlinked directory (-K) or beside a removed
 * entry meets; --delete-after and --delete-delay delete once everything is
 * copied. One pass over the whole tree, before or after all workers, does the
 * same. A shard never deletes (refused before copying).
 */
function deleteTiming({plans, req}: SplitContext): 'first' | 'last' | undefined {
  if (plans.length <= 1 || req.shard !== undefined || req.settings.dryRun || !deletes(req.extraArgs)) return undefined
  return req.extraArgs.some((a) => a === '--delete-after' || a === '--delete-delay') ? 'last' : 'first'
}

/** What runs before the workers: the delete pass of --parallel --delete; a failure is the run's error, the workers still copy. */
export async function passesBefore(ctx: SplitContext): Promise<LoopOutcome[]> {
  if (deleteTiming(ctx) !== 'first') return []
  const pass = await applyDeletes(passInput(ctx, []))
  return pass === undefined ? [] : [pass]
}

/**
 * What runs after the workers: the delete pass of --delete-after (only when
 * every worker succeeded: rsync skips deleting after an I/O error), then the
 * directory attribute pass. A plain copy that ends with errors (23: some
 * files not transferred) still gives every directory its attributes; after a
 * signal, a dry run or a usage error there is nothing to give.
 */
export async function passesAfter(ctx: SplitContext, loops: readonly LoopOutcome[]): Promise<LoopOutcome[]> {
  const {req, rt} = ctx
  if (rt.stop.stopped || req.settings.dryRun) return []
  const out: LoopOutcome[] = []
  const done = () => [...loops, ...out]
  if (deleteTiming(ctx) === 'last' && loops.every((l) => l.exitCode === 0)) {
    const pass = await applyDeletes(passInput(ctx, done()))
    if (pass !== undefined) out.push(pass)
  }
  const scope = dirScope(ctx)
  if (scope !== undefined && !rt.stop.stopped && !done().some((l) => l.attempts.at(-1)?.class === 'usage')) {
    const pass = await applyDirAttributes({...passInput(ctx, done()), scope})
    if (pass !== undefined) out.push(pass)
  }
  return out
}

/**
 * --parallel: every directory gets its attributes once the workers are done.
 * A shard leaves the directories inside the tree to the rsync that wrote into
 * them (it sets the times of the directories its list implies, after its
 * files), but dest itself, a `src/` copy's base, only a pass sets.
 */
function dirScope({plans, req, sharedDirs}: SplitContext): DirPassInput['scope'] | undefined {
  // one used list of a split copy is one rsync, but given a list rsync never sets the times of the list's base (dest)
  const split = plans[0]?.filesFrom !== undefined
  if (req.shard === undefined) return split ? (sharedDirs === undefined ? 'tree' : {dirs: sharedDirs, base: plans[0]!.src}) : undefined
  return req.settings.src.endsWith('/') ? 'root' : undefined
}

function passInput({req, components, rt}: SplitContext, loops: readonly LoopOutcome[]): Omit<DirPassInput, 'scope'> {
  return {
    rsyncPath: req.rsyncPath,
    src: req.settings.src,
    dest: req.settings.dest,
    extraArgs: req.extraArgs,
    graceMs: req.graceMs,
    stop: rt.stop,
    log: rt.log,
    classifyRules: components.classifyRules,
    env: req.env,
    attempt: Math.max(0, ...loops.flatMap((l) => l.attempts.map((a) => a.attempt))) + 1,
  }
}
