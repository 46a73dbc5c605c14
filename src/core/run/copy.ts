import {randomBytes} from 'node:crypto'
import {rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AttemptResult, ClassifyRule, Logger, MountCheck, Reporter, RetryPolicy, RunSettings} from '../../plugin-api.js'
import {runAttemptLoop, type LoopOutcome} from './attempt-loop.js'
import {ensureDestDir} from './dest-dir.js'
import {DRY_RUN_PREFIX, splitUnsafeOption, validateExtraArgs} from '../rsync/args.js'
import {EventBus} from './events.js'
import {exitForErrno} from '../codes/errno.js'
import {ERROR_KINDS, splitError, usageError, type ErrorCode, type ErrorKind} from '../codes/errors.js'
import {EXIT} from '../codes/exit.js'
import {MSG_MAX_RETRY, MSG_SUCCEED, MSG_UNRECOVERABLE} from '../codes/messages.js'
import {runMountChecks} from './mount-checks.js'
import {runRsyncAttempt} from '../rsync/attempt.js'
import {planWork} from '../split/plan.js'
import {parseProgressLine, type ProgressSample} from '../rsync/progress.js'
import {terminatedReason} from '../codes/go-reason.js'
import {signalExitCode, type StopController} from './stop.js'
import {validateRunInput} from './validate.js'
import {verifyCopy, type VerifyResult} from './verify.js'

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

export interface AttemptSummary {
  attempt: number
  code: number
  reason: string
  class: string
  exitCode: number
  durationMs: number
  filesTransferred: number
  bytes: number
}

export interface CopyOutcome {
  exitCode: number
  class: string
  reason: string
  attempts: AttemptSummary[]
  filesTransferred: number
  filesTotal: number
  bytes: number
  durationMs: number
  stderrTail: string
  /** --verify: files that differ; null when the pass was interrupted */
  mismatches?: number | null
  /** --verify: entries only in dest */
  extras?: number
  /** --verify: the first differing names */
  mismatchSample?: string[]
  warnings: string[]
  /** set when exitCode is not 0 */
  error?: OutcomeError
}

export interface OutcomeError {
  code: ErrorCode
  message: string
  hint: string
}

const CLASS_RANK: Record<string, number> = {ok: 0, vanished: 1, retryable: 2, partial: 3, fatal: 4, usage: 5, interrupted: 6}

/** validate → dest dir → mount checks → attempts → verify → done → flush. Throws TransporterError before anything is copied. */
export async function runCopy(req: CopyRequest, components: CopyComponents, rt: CopyRuntime): Promise<CopyOutcome> {
  const {settings} = req
  validateRunInput({src: settings.src, dest: settings.dest, progress: settings.progress, stderr: settings.stderr, reportAddr: settings.reportAddr})
  validateExtraArgs(req.extraArgs)
  const unsafe = req.parallel > 1 || req.shard !== undefined ? splitUnsafeOption(req.extraArgs) : undefined
  if (unsafe !== undefined) {
    throw usageError(
      `rsync option ${JSON.stringify(unsafe)} cannot be combined with --parallel/--shard: a split copy lists its files itself and would not equal a plain copy`,
      'run without --parallel/--shard, or drop the option',
    )
  }
  if (req.destDir) {
    if (settings.dryRun) rt.log.info(`dry run: would create dest dir ${settings.dest}`)
    else await ensureDestDir(settings.dest, req.destDirTimeoutMs)
  }
  await runMountChecks(components.mountChecks, settings.src, settings.dest)

  const runId = randomBytes(6).toString('hex')
  const started = Date.now()
  const listDir = join(tmpdir(), `transporter-${runId}`)
  const plans = await planOrFail({src: settings.src, parallel: req.parallel, shard: req.shard, listDir})
  const bus = new EventBus(components.reporters, rt.log)
  bus.emit({type: 'start', runId, src: settings.src, dest: settings.dest})

  let attemptCounter = 0
  const loops: LoopOutcome[] = []
  let verified: Verified | undefined
  try {
    const combine = progressSummer()
    const results = await Promise.all(
      plans.map((plan) => {
        return runAttemptLoop(
          {
            rsyncPath: req.rsyncPath,
            args: plan.args({progress: settings.progress || wantsProgress(components), dryRun: settings.dryRun, extraArgs: req.extraArgs, dest: settings.dest}),
            stderrTailBytes: req.stderrTailBytes,
            graceMs: req.graceMs,
            retryPolicy: components.retryPolicy,
            classifyRules: components.classifyRules,
            src: settings.src,
            dest: settings.dest,
            ...(req.env ? {env: req.env} : {}),
            ...(plan.label ? {label: plan.label} : {}),
            nextAttempt: () => ++attemptCounter,
          },
          {bus, log: rt.log, stop: rt.stop, onStderr: rt.onStderr, onLine: stdoutLogger(req, rt.log), combine: plans.length > 1 ? combine : undefined},
        )
      }),
    )
    loops.push(...results)
    const allOk = results.every((r) => r.exitCode === EXIT.Succeed)
    // a shard leaves directory attributes to shard 0 and to whoever finishes last: not its pass to run over the whole tree
    if (allOk && plans.length > 1 && req.shard === undefined && !rt.stop.stopped && !settings.dryRun) await syncDirAttributes(req, rt)
    if (allOk && req.verify && !settings.dryRun && !rt.stop.stopped) {
      // a shard verifies its own part only (spec §10)
      const filesFrom = req.shard === undefined ? undefined : plans.flatMap((p) => (p.filesFrom === undefined ? [] : [p.filesFrom]))
      verified = await verifyCopy({rsyncPath: req.rsyncPath, src: filesFrom === undefined ? settings.src : (plans[0]?.src ?? settings.src), dest: settings.dest, extraArgs: req.extraArgs, filesFrom, log: rt.log, stop: rt.stop}).then(
        (result) => ({result}),
        (error: unknown) => ({result: undefined, failure: error instanceof Error ? error.message : String(error)}),
      )
    }
  } finally {
    await rm(listDir, {recursive: true, force: true})
  }

  const outcome = summarize(loops, started, rt.stop, verified)
  if (outcome.exitCode === EXIT.Succeed) rt.log.info(MSG_SUCCEED)
  bus.emit({
    type: 'done',
    exitCode: outcome.exitCode,
    class: outcome.class,
    filesTransferred: outcome.filesTransferred,
    filesTotal: outcome.filesTotal,
    bytes: outcome.bytes,
    durationMs: outcome.durationMs,
    stderrTail: outcome.stderrTail,
    reason: outcome.reason,
  })
  // a second SIGINT means "now": reports get a short moment, not the whole budget
  await bus.flush(Date.now() + (rt.stop.immediate ? Math.min(req.flushBudgetMs, 1000) : req.flushBudgetMs))
  return outcome
}

/**
 * Parallel workers create directories as they go and their files bump the
 * directories' mtimes; one last pass that transfers directories only (no
 * files) gives every directory the source's attributes.
 */
async function syncDirAttributes(req: CopyRequest, rt: CopyRuntime): Promise<void> {
  const raw = await runRsyncAttempt({
    rsyncPath: req.rsyncPath,
    args: ['-rlptgo', '--filter=+ */', '--filter=- *', '--', req.settings.src, req.settings.dest],
    stderrTailBytes: 16 * 1024,
    graceMs: req.graceMs,
    stop: rt.stop,
    ...(req.env ? {env: req.env} : {}),
  })
  if (raw.code !== 0 && !raw.interrupted) rt.log.warn(`directory attribute pass: ${raw.reason}`)
}

function wantsProgress(components: CopyComponents): boolean {
  return components.reporters.some(({reporter}) => reporter.wantsProgress === true)
}

interface Verified {
  /** undefined: a signal interrupted the pass */
  result: VerifyResult | undefined
  /** the verify pass itself failed */
  failure?: string
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

/** --parallel: one report stream, the workers' latest counters summed. */
function progressSummer(): (worker: string, sample: ProgressSample) => ProgressSample {
  const latest = new Map<string, ProgressSample>()
  return (worker, sample) => {
    latest.set(worker, sample)
    let filesTransferred = 0
    let filesTotal = 0
    let bytes = 0
    for (const s of latest.values()) {
      filesTransferred += s.filesTransferred
      filesTotal += s.filesTotal
      bytes += s.bytes ?? 0
    }
    return {filesTransferred, filesTotal, bytes}
  }
}

/** Splitting the tree reads all of src before anything is copied; its failures map like the mount checks'. */
async function planOrFail(input: Parameters<typeof planWork>[0]): ReturnType<typeof planWork> {
  try {
    return await planWork(input)
  } catch (error) {
    const exitCode = exitForErrno((error as NodeJS.ErrnoException).code, ['ENOENT', 'EACCES', 'EPERM'])
    throw splitError(`cannot split ${input.src} for --parallel/--shard: ${(error as Error).message}`, exitCode, error)
  }
}

function summarize(loops: readonly LoopOutcome[], started: number, stop: StopController, verified: Verified | undefined): CopyOutcome {
  // null: the verify pass was interrupted, nothing is known (spec §10)
  const mismatches = verified === undefined || verified.failure !== undefined ? undefined : (verified.result?.mismatches ?? null)
  const attempts: AttemptResult[] = loops.flatMap((l) => l.attempts).sort((a, b) => a.attempt - b.attempt)
  const warnings = loops.flatMap((l) => l.warnings)
  // The most severe loop decides the exit code; its last attempt gives the reason and stderr.
  let worst: {loop: LoopOutcome; last: AttemptResult | undefined} | undefined
  for (const loop of loops) {
    const last = loop.attempts.at(-1)
    const rank = loop.exitCode === EXIT.Succeed ? 0 : CLASS_RANK[last?.class ?? 'fatal'] ?? 4
    const worstRank = worst ? (worst.loop.exitCode === EXIT.Succeed ? 0 : CLASS_RANK[worst.last?.class ?? 'fatal'] ?? 4) : -1
    if (rank > worstRank || (rank === worstRank && loop.exitCode > (worst?.loop.exitCode ?? -1))) worst = {loop, last}
  }
  let exitCode: number = worst?.loop.exitCode ?? EXIT.Succeed
  let cls: string = exitCode === EXIT.Succeed ? 'ok' : worst?.last?.class ?? 'fatal'
  let reason = worst?.last?.reason ?? ''
  let stderrTail = worst?.last?.stderrTail ?? ''
  let kind: ErrorKind = 'rsync'
  if (exitCode === EXIT.Succeed && worst?.last && worst.last.class !== 'ok') cls = worst.last.class
  if (stop.signal) {
    exitCode = signalExitCode(stop.signal)
    cls = 'interrupted'
    reason = terminatedReason(stop.signal)
    kind = 'signal'
  } else if (exitCode === EXIT.Succeed && verified?.failure !== undefined) {
    exitCode = EXIT.ErrIOError
    cls = 'fatal'
    reason = `verify: ${verified.failure}`
    kind = 'verify'
  } else if (exitCode === EXIT.Succeed && typeof mismatches === 'number' && mismatches > 0) {
    exitCode = EXIT.ErrIOError
    cls = 'fatal'
    reason = `verify: ${mismatches} file(s) differ between src and dest`
    kind = 'verify'
    // the error report's message: which files, not rsync's (empty) stderr
    stderrTail = [`${reason}, e.g.:`, ...(verified?.result?.sample ?? [])].join('\n')
  }
  const error = exitCode === EXIT.Succeed ? undefined : outcomeError(kind, cls, reason, exitCode)
  const lastOfEach = loops.map((l) => l.attempts.at(-1))
  return {
    exitCode,
    class: cls,
    reason,
    attempts: attempts.map((a) => ({attempt: a.attempt, code: a.code, reason: a.reason, class: a.class, exitCode: a.exitCode, durationMs: a.durationMs, filesTransferred: a.filesTransferred, bytes: a.bytes})),
    filesTransferred: attempts.reduce((n, a) => n + a.filesTransferred, 0),
    filesTotal: lastOfEach.reduce((n, a) => n + (a?.filesTotal ?? 0), 0),
    bytes: attempts.reduce((n, a) => n + a.bytes, 0),
    durationMs: Date.now() - started,
    stderrTail,
    ...(mismatches === undefined ? {} : {mismatches}),
    ...(verified?.result === undefined ? {} : {extras: verified.result.extras, mismatchSample: verified.result.sample}),
    warnings,
    ...(error === undefined ? {} : {error}),
  }
}

/** What `--json`'s `error` says about a run that failed after rsync started (spec §8.4). */
function outcomeError(kind: ErrorKind, cls: string, reason: string, exitCode: number): OutcomeError {
  const gave = kind !== 'rsync' ? reason : `${cls === 'fatal' || cls === 'usage' ? MSG_UNRECOVERABLE : MSG_MAX_RETRY}: ${reason}`
  return {code: ERROR_KINDS[kind].code, message: gave, hint: `see \`transporter explain-exit ${exitCode}\``}
}
