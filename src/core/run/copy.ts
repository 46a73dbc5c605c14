import {randomHex} from '../random-hex.js'
import {rm} from 'node:fs/promises'
import type {ClassifyRule, CopyEvent, Logger, MountCheck, Reporter, RetryPolicy, RunSettings} from '../../plugin-api.js'
import {runAttemptLoop, type LoopOutcome} from './attempt-loop.js'
import {ensureDestDir} from './dest-dir.js'
import {deletes, DRY_RUN_PREFIX, splitUnsafeOption, validateExtraArgs, wantsHardLinks} from '../rsync/args.js'
import {EventBus} from './events.js'
import {exitForErrno} from '../codes/errno.js'
import {splitError, usageError} from '../codes/errors.js'
import {EXIT} from '../codes/exit.js'
import {MSG_SUCCEED} from '../codes/messages.js'
import {runMountChecks} from './mount-checks.js'
import {applyDeletes, applyDirAttributes} from './dir-attributes.js'
import {planWork, type PlanInput, type WorkPlan} from '../split/plan.js'
import {shardOf} from '../split/work-split.js'
import {isPlaceProblem, listDirBases, makeListDir, removeStaleListDirs} from '../split/list-dir.js'
import {parseProgressLine, type ProgressSample} from '../rsync/progress.js'
import type {StopController} from './stop.js'
import {validateRunInput} from './validate.js'
import {verifyCopy} from './verify.js'
import {claimRunMarker} from '../rsync/run-marker.js'
import {sweepRsyncTemps} from '../rsync/temp-sweep.js'
import {summarize, type CopyOutcome, type Verified} from './outcome.js'

export interface CopyRequest {
  settings: RunSettings
  destDir: boolean
  rsyncPath: string
  extraArgs: readonly string[]
  stderrTailBytes: number
  graceMs: number
  flushBudgetMs: number
  parallel: number
  shard?: {index: number; count: number} | undefined
  verify: boolean
  destDirTimeoutMs?: number
  env?: NodeJS.ProcessEnv
}

export interface CopyComponents {
  reporters: ReadonlyArray<{id: string; reporter: Reporter}>
  retryPolicy: RetryPolicy
  mountChecks: ReadonlyArray<{id: string; check: MountCheck}>
  classifyRules: readonly ClassifyRule[]
}

export interface CopyRuntime {
  log: Logger
  stop: StopController
  /** rsync's stderr as it arrives (the CLI echoes it unless --quiet) */
  onStderr?: (chunk: Buffer) => void | Promise<void>
}

/** validate → dest dir → mount checks → attempts → verify → done → flush. Throws TransporterError before anything is copied. */
export async function runCopy(req: CopyRequest, components: CopyComponents, rt: CopyRuntime): Promise<CopyOutcome> {
  await preflight(req, components, rt)
  const {settings} = req
  const runId = randomHex(6)
  const started = Date.now()
  const {plans, listDir} = await planOrFail(
    {src: settings.src, parallel: req.parallel, shard: req.shard, hardLinks: wantsHardLinks(req.extraArgs)},
    settings.dest,
    rt.log,
  )
  const bus = new EventBus(components.reporters, rt.log)
  bus.emit({type: 'start', runId, src: settings.src, dest: settings.dest})

  let loops: LoopOutcome[] = []
  let verified: Verified | undefined
  const marker = settings.dryRun ? undefined : claimRunMarker(settings.dest)
  try {
    if (marker !== undefined && marker.dead.length > 0) await sweepAfterKilledRun(settings.src, settings.dest, rt.log, ownPart(req.shard))
    const deleting = plans.length > 1 && req.shard === undefined && !settings.dryRun ? deleteTiming(req.extraArgs) : undefined
    if (deleting === 'first') {
      const pass = await applyDeletes(passInput(req, components, rt, loops))
      if (pass !== undefined) loops = [pass]
    }
    if (!rt.stop.stopped) loops = [...loops, ...(await runPlans(plans, req, components, rt, bus, loops.length))]
    const allOk = loops.every((r) => r.exitCode === EXIT.Succeed)
    const finished = allOk && !rt.stop.stopped && !settings.dryRun
    // rsync skips deleting after an I/O error: a delete pass after the workers runs only when every worker succeeded
    if (finished && deleting === 'last') {
      const pass = await applyDeletes(passInput(req, components, rt, loops))
      if (pass !== undefined) loops = [...loops, pass]
    }
    // a plain copy that ends with errors (23: some files not transferred) still gives every directory its attributes
    const ended = !rt.stop.stopped && !settings.dryRun && !loops.some((l) => l.attempts.at(-1)?.class === 'usage')
    if (ended) {
      const pass = await dirPass(plans, req, components, rt, loops)
      if (pass !== undefined) loops = [...loops, pass]
    }
    if (finished && req.verify) verified = await verifyPlans(plans, req, rt)
  } finally {
    if (listDir !== undefined) await rm(listDir, {recursive: true, force: true})
    marker?.release()
  }

  const outcome = summarize(loops, started, rt.stop, verified, plannedTotal(plans))
  if (outcome.exitCode === EXIT.Succeed) rt.log.info(MSG_SUCCEED)
  bus.emit(doneEvent(outcome))
  // a second SIGINT means "now": reports get a short moment, not the whole budget
  await bus.flush(Date.now() + (rt.stop.immediate ? Math.min(req.flushBudgetMs, 1000) : req.flushBudgetMs))
  return outcome
}

/** A run into this dest was killed with its rsync (spec §12): its temp files are still there, open by nobody. */
async function sweepAfterKilledRun(src: string, dest: string, log: Logger, owns: ((rel: Buffer) => boolean) | undefined): Promise<void> {
  const removed = await sweepRsyncTemps(src, dest, 0, owns)
  if (removed.length > 0) log.info(`removed ${removed.length} temporary file(s) a killed run left: ${removed.join(', ')}`)
}

/**
 * When --parallel deletes. A plain copy deletes in each directory before it
 * copies into it (--delete, --delete-during, --delete-before), which decides
 * what a file copied through a symlinked directory (-K) or beside a removed
 * entry meets; --delete-after and --delete-delay delete once everything is
 * copied. One pass over the whole tree, before or after all workers, does the
 * same.
 */
function deleteTiming(extraArgs: readonly string[]): 'first' | 'last' | undefined {
  if (!deletes(extraArgs)) return undefined
  return extraArgs.some((a) => a === '--delete-after' || a === '--delete-delay') ? 'last' : 'first'
}

/** A shard sweeps only the temp files of its own files: the others' may be written by live shards elsewhere. */
function ownPart(shard: CopyRequest['shard']): ((rel: Buffer) => boolean) | undefined {
  return shard === undefined ? undefined : (rel) => shardOf(rel, shard.count) === shard.index
}

/** Spec §3 and §4: everything that can refuse the run before a byte is copied. */
async function preflight(req: CopyRequest, components: CopyComponents, rt: CopyRuntime): Promise<void> {
  const {settings} = req
  validateRunInput({src: settings.src, dest: settings.dest, progress: settings.progress, stderr: settings.stderr, reportAddr: settings.reportAddr})
  validateExtraArgs(req.extraArgs)
  const unsafe =
    req.parallel > 1 || req.shard !== undefined ? splitUnsafeOption(req.extraArgs, {root: process.getuid?.() === 0, shard: req.shard !== undefined}) : undefined
  if (unsafe !== undefined) {
    throw usageError(
      `rsync option ${JSON.stringify(unsafe.arg)} cannot be combined with --parallel/--shard: ${unsafe.why}, so the split copy would not equal a plain copy`,
      'run without --parallel/--shard, or drop the option',
    )
  }
  if (req.destDir) {
    if (settings.dryRun) rt.log.info(`dry run: would create dest dir ${settings.dest}`)
    else await ensureDestDir(settings.dest, req.destDirTimeoutMs)
  }
  await runMountChecks(components.mountChecks, settings.src, settings.dest)
}

/** One attempt loop per plan, all at once; attempt numbers are shared, progress is summed when there are several. */
function runPlans(
  plans: readonly WorkPlan[],
  req: CopyRequest,
  components: CopyComponents,
  rt: CopyRuntime,
  bus: EventBus,
  attemptsBefore: number,
): Promise<LoopOutcome[]> {
  const {settings} = req
  let attemptCounter = attemptsBefore
  const combine = plans.some((p) => p.total !== undefined) ? progressSummer(plans) : undefined
  const onLine = stdoutLogger(req, rt.log)
  const progress = settings.progress || wantsProgress(components)
  return Promise.all(
    plans.map((plan) =>
      runAttemptLoop(
        {
          rsyncPath: req.rsyncPath,
          args: plan.args({progress, dryRun: settings.dryRun, extraArgs: req.extraArgs, dest: settings.dest}),
          stderrTailBytes: req.stderrTailBytes,
          graceMs: req.graceMs,
          retryPolicy: components.retryPolicy,
          classifyRules: components.classifyRules,
          src: settings.src,
          dest: settings.dest,
          ...(req.env ? {env: req.env} : {}),
          ...(plan.label ? {label: plan.label} : {}),
          ...(plan.filesFrom === undefined ? {} : {listed: true}),
          owns: ownPart(req.shard),
          nextAttempt: () => ++attemptCounter,
        },
        {bus, log: rt.log, stop: rt.stop, onStderr: rt.onStderr, onLine, combine},
      ),
    ),
  )
}

/** --verify over what was copied: the whole tree, or a shard's own lists (spec §10). A failing pass is an outcome, not a throw. */
function verifyPlans(plans: readonly WorkPlan[], req: CopyRequest, rt: CopyRuntime): Promise<Verified> {
  const {settings} = req
  const filesFrom = req.shard === undefined ? undefined : plans.flatMap((p) => (p.filesFrom === undefined ? [] : [p.filesFrom]))
  const src = filesFrom === undefined ? settings.src : (plans[0]?.src ?? settings.src)
  return verifyCopy({rsyncPath: req.rsyncPath, src, dest: settings.dest, extraArgs: req.extraArgs, filesFrom, log: rt.log, stop: rt.stop}).then(
    (result) => ({result}),
    (error: unknown) => ({result: undefined, failure: error instanceof Error ? error.message : String(error)}),
  )
}

function doneEvent(o: CopyOutcome): CopyEvent {
  return {
    type: 'done',
    exitCode: o.exitCode,
    class: o.class,
    filesTransferred: o.filesTransferred,
    filesTotal: o.filesTotal,
    bytes: o.bytes,
    durationMs: o.durationMs,
    stderrTail: o.stderrTail,
    reason: o.reason,
  }
}

/**
 * --parallel: every directory gets its attributes once the workers are done.
 * A shard leaves the directories inside the tree to the rsync that wrote into
 * them (it sets the times of the directories its list implies, after its
 * files), but dest itself, a `src/` copy's base, only a pass sets.
 */
function dirPass(plans: readonly WorkPlan[], req: CopyRequest, components: CopyComponents, rt: CopyRuntime, loops: readonly LoopOutcome[]) {
  const scope = req.shard === undefined ? (plans.length > 1 ? 'tree' : undefined) : req.settings.src.endsWith('/') ? 'root' : undefined
  if (scope === undefined) return Promise.resolve(undefined)
  return applyDirAttributes({...passInput(req, components, rt, loops), scope})
}

function passInput(req: CopyRequest, components: CopyComponents, rt: CopyRuntime, loops: readonly LoopOutcome[]) {
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

function wantsProgress(components: CopyComponents): boolean {
  return components.reporters.some(({reporter}) => reporter.wantsProgress === true)
}

/**
 * What rsync prints on stdout besides progress, when the operator asked for
 * it: a dry run's list of what it would transfer, the --stats summary.
 */
function stdoutLogger(req: CopyRequest, log: Logger): ((line: string) => void) | undefined {
  const stats = req.extraArgs.includes('--stats')
  if (!req.settings.dryRun && !stats) return undefined
  return (line) => {
    if (line.startsWith(DRY_RUN_PREFIX)) log.info(`dry run: would transfer ${line.slice(DRY_RUN_PREFIX.length)}`)
    else if (stats && line.trim() !== '' && parseProgressLine(line) === undefined) log.info(`rsync: ${line}`)
  }
}

/**
 * A split copy: one report stream, the workers' latest counters summed. The
 * total is the plan's from the start (rsync's own totals count `.` and the
 * implied directories once per worker, and grow while it scans).
 */
function progressSummer(plans: readonly WorkPlan[]): (worker: string, sample: ProgressSample) => ProgressSample {
  const latest = new Map<string, ProgressSample>()
  const filesTotal = plannedTotal(plans)
  return (worker, sample) => {
    latest.set(worker, sample)
    let filesTransferred = 0
    let bytes = 0
    for (const s of latest.values()) {
      filesTransferred += s.filesTransferred
      bytes += s.bytes ?? 0
    }
    return {filesTransferred, filesTotal: filesTotal ?? [...latest.values()].reduce((n, s) => n + s.filesTotal, 0), bytes}
  }
}

/** What a split copy's parts count together, as a plain copy counts them; undefined for a plain copy. */
function plannedTotal(plans: readonly WorkPlan[]): number | undefined {
  return plans.every((p) => p.total !== undefined) ? plans.reduce((n, p) => n + (p.total ?? 0), 0) : undefined
}

/**
 * Splitting the tree reads all of src before anything is copied; its failures
 * map like the mount checks'. The lists go to TMPDIR, or beside dest when
 * TMPDIR cannot take them; lists a killed run left there are removed first.
 */
async function planOrFail(input: Omit<PlanInput, 'listDir'>, dest: string, log: Logger): Promise<{plans: WorkPlan[]; listDir: string | undefined}> {
  if (input.parallel <= 1 && input.shard === undefined) return {plans: await planWork({...input, listDir: ''}), listDir: undefined}
  const bases = listDirBases(dest)
  let lastError: unknown
  for (const base of bases) {
    for (const stale of await removeStaleListDirs(base)) log.info(`removed the work lists a killed run left: ${stale}`)
    let listDir: string | undefined
    try {
      listDir = await makeListDir(base)
      return {plans: await planWork({...input, listDir}), listDir}
    } catch (error) {
      if (listDir !== undefined) await rm(listDir, {recursive: true, force: true})
      lastError = error
      if (!isPlaceProblem(error) || base === bases.at(-1)) break
      log.warn(`work lists cannot go to ${base} (${(error as NodeJS.ErrnoException).code}); trying beside dest`)
    }
  }
  const exitCode = exitForErrno((lastError as NodeJS.ErrnoException).code, ['ENOENT', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS'])
  throw splitError(`cannot split ${input.src} for --parallel/--shard: ${(lastError as Error).message}`, exitCode, lastError)
}
