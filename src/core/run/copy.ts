import {randomHex} from '../random-hex.js'
import {rm} from 'node:fs/promises'
import type {ClassifyRule, CopyEvent, Logger, MountCheck, Reporter, RetryPolicy, RunSettings} from '../../plugin-api.js'
import {runAttemptLoop, type LoopOutcome} from './attempt-loop.js'
import {ensureDestDir, makeDestForWorkers} from './dest-dir.js'
import {DRY_RUN_PREFIX, validateExtraArgs} from '../rsync/args.js'
import {splitUnsafeOption, wantsHardLinks} from '../split/split-unsafe.js'
import {bypassesPermissions} from '../split/permissions.js'
import {EventBus} from './events.js'
import {exitForErrno} from '../codes/errno.js'
import {splitError, usageError} from '../codes/errors.js'
import {EXIT, type ExitCode} from '../codes/exit.js'
import {MSG_SUCCEED} from '../codes/messages.js'
import {runMountChecks} from './mount-checks.js'
import {passesAfter, passesBefore} from './split-passes.js'
import {lastLine, passOutcome} from './dir-attributes.js'
import {plannedTotal, progressSummer} from './split-progress.js'
import {planWork, type PlanInput, type SplitPlan, type WorkPlan} from '../split/plan.js'
import {ListingFailure} from '../split/source-listing.js'
import {classify} from '../classify/classify.js'
import {shardOf} from '../split/work-split.js'
import {isPlaceProblem, listDirBases, makeListDir, removeStaleListDirs} from '../split/list-dir.js'
import {parseProgressLine} from '../rsync/progress.js'
import type {StopController} from './stop.js'
import {validateRunInput} from './validate.js'
import {verifyCopy} from './verify.js'
import {claimRunMarker, deadRunPart} from '../rsync/run-marker.js'
import {sweepRsyncTemps} from '../rsync/temp-sweep.js'
import {partialKeeper, recordInterrupted} from '../rsync/resume.js'
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
  const {plans, listed, sharedDirs, listDir} = await planOrFail(
    {
      src: settings.src,
      parallel: req.parallel,
      shard: req.shard,
      hardLinks: wantsHardLinks(req.extraArgs),
      listing: {rsyncPath: req.rsyncPath, extraArgs: req.extraArgs, stop: rt.stop, graceMs: req.graceMs, env: req.env, onStderr: rt.onStderr},
    },
    settings.dest,
    rt.log,
    components.classifyRules,
  )
  const bus = new EventBus(components.reporters, rt.log)
  bus.emit({type: 'start', runId, src: settings.src, dest: settings.dest})

  let loops: LoopOutcome[] = []
  let verified: Verified | undefined
  const marker = settings.dryRun ? undefined : claimRunMarker(settings.dest, Date.now(), req.shard)
  try {
    if (marker !== undefined && marker.dead.length > 0) await sweepAfterKilledRun(settings.src, settings.dest, rt.log, marker.dead)
    const listing = listed === undefined ? undefined : passOutcome('source listing', listed, {log: rt.log, classifyRules: components.classifyRules, attempt: 1})
    if (plans.some((p) => p.filesFrom !== undefined) && !settings.dryRun) makeDestForWorkers(settings.dest)
    loops = [...(listing ? [listing] : []), ...(await passesBefore({plans, req, components, rt}))]
    if (!rt.stop.stopped) loops = [...loops, ...(await runPlans(plans, req, components, rt, bus, loops.length))]
    const finished = loops.every((r) => r.exitCode === EXIT.Succeed) && !rt.stop.stopped && !settings.dryRun
    loops = [...loops, ...(await passesAfter({plans, sharedDirs, req, components, rt}, loops))]
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

/**
 * A run into this dest was killed with its rsync (spec §12): its temp files
 * are still there, open by nobody. They are those of the dead run's part (a
 * dead shard's own files, whichever shard finds its marker), never another
 * live shard's.
 */
async function sweepAfterKilledRun(src: string, dest: string, log: Logger, dead: readonly string[]): Promise<void> {
  const parts = dead.map(deadRunPart)
  const owns = parts.some((p) => p === undefined) ? undefined : (rel: Buffer) => parts.some((p) => p !== undefined && shardOf(rel, p.count) === p.index)
  // a large partial file of the killed run is kept under its name and resumed by the first attempt
  const partials = partialKeeper()
  const removed = await sweepRsyncTemps(src, dest, 0, owns, partials.keep)
  if (removed.length > 0) log.info(`removed ${removed.length} temporary file(s) a killed run left: ${removed.join(', ')}`)
  const kept = recordInterrupted(dest, partials.kept)
  if (kept.length > 0) log.info(`kept ${kept.length} partial file(s) a killed run left, to resume: ${kept.join(', ')}`)
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
    req.parallel > 1 || req.shard !== undefined
      ? splitUnsafeOption(req.extraArgs, {bypassesPermissions: bypassesPermissions(), shard: req.shard !== undefined})
      : undefined
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
          dryRun: settings.dryRun,
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
 * Splitting the tree lists all of src before anything is copied; a list
 * directory that cannot be made maps like the mount checks' failures, a
 * listing rsync could not finish is classified like an attempt of the copy.
 * The lists go to TMPDIR, or beside dest when TMPDIR cannot take them; lists
 * a killed run left there are removed first.
 */
async function planOrFail(
  input: Omit<PlanInput, 'listDir'>,
  dest: string,
  log: Logger,
  rules: readonly ClassifyRule[],
): Promise<SplitPlan & {listDir: string | undefined}> {
  if (input.parallel <= 1 && input.shard === undefined) return {...(await planWork({...input, listDir: ''})), listDir: undefined}
  const bases = listDirBases(dest)
  let lastError: unknown
  for (const base of bases) {
    for (const stale of await removeStaleListDirs(base)) log.info(`removed the work lists a killed run left: ${stale}`)
    let listDir: string | undefined
    try {
      listDir = await makeListDir(base)
      return {...(await planWork({...input, listDir})), listDir}
    } catch (error) {
      if (listDir !== undefined) await rm(listDir, {recursive: true, force: true})
      if (error instanceof ListingFailure) throw listingError(input.src, error, rules)
      lastError = error
      if (!isPlaceProblem(error) || base === bases.at(-1)) break
      log.warn(`work lists cannot go to ${base} (${(error as NodeJS.ErrnoException).code}); trying beside dest`)
    }
  }
  const exitCode = exitForErrno((lastError as NodeJS.ErrnoException).code, ['ENOENT', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'EROFS'])
  throw splitError(`cannot split ${input.src} for --parallel/--shard: ${(lastError as Error).message}`, exitCode, lastError)
}

function listingError(src: string, failure: ListingFailure, rules: readonly ClassifyRule[]) {
  const {raw} = failure
  const verdict = classify({code: raw.code, signal: raw.signal, stderr: raw.stderrTail}, rules)
  const last = lastLine(raw.stderrTail)
  // the code the copy's own rules give this rsync failure (a rule's code is a number the exit-code table holds)
  const exitCode = (verdict.exitCode === 0 ? EXIT.ErrSystem : verdict.exitCode) as ExitCode
  return splitError(`cannot split ${src} for --parallel/--shard: ${failure.message}${last === '' ? '' : `: ${last}`}`, exitCode, failure)
}
