import type {AttemptResult, ClassifyRule, Logger, RetryPolicy} from '../../plugin-api.js'
import {trailingThrottle} from './throttle.js'
import {EXIT} from '../codes/exit.js'
import {classify} from '../classify/classify.js'
import {asVanished, listedFilesVanished} from '../classify/listed-vanished.js'
import type {EventBus} from './events.js'
import {MSG_MAX_RETRY, MSG_UNRECOVERABLE} from '../codes/messages.js'
import type {ProgressSample} from '../rsync/progress.js'
import {runRsyncAttempt} from '../rsync/attempt.js'
import type {StopController} from './stop.js'
import {mayLeaveTempFiles, sweepRsyncTemps} from '../rsync/temp-sweep.js'
import {claimResumeLists, partialKeeper, recordInterrupted, resumeArgs} from '../rsync/resume.js'

export interface LoopSpec {
  rsyncPath: string
  args: string[]
  stderrTailBytes: number
  graceMs: number
  retryPolicy: RetryPolicy
  classifyRules: readonly ClassifyRule[]
  /** src and dest as given, for the temp-file sweep after an unclean attempt */
  src: string
  dest: string
  env?: NodeJS.ProcessEnv
  /** prefix for log lines when several loops run at once (--parallel) */
  label?: string
  /** a shard's own files (path relative to dest), for the temp-file sweep */
  owns?: ((rel: Buffer) => boolean) | undefined
  /** the part is a `--files-from` list (a split copy) */
  listed?: boolean
  /** the attempt number events carry; shared across parallel workers */
  nextAttempt: () => number
  /** rsync -n: nothing to resume, nothing to keep */
  dryRun?: boolean
}

export interface LoopRuntime {
  bus: EventBus
  log: Logger
  stop: StopController
  onStderr?: ((chunk: Buffer) => void | Promise<void>) | undefined
  /** every stdout line rsync prints (dry-run listings, --stats) */
  onLine?: ((line: string) => void) | undefined
  /** --parallel: turns one worker's sample into the sum over all workers (one report stream) */
  combine?: ((worker: string, sample: ProgressSample) => ProgressSample) | undefined
}

export interface LoopOutcome {
  exitCode: number
  attempts: AttemptResult[]
  warnings: string[]
}

/** How often progress events may fire; a throttled sample waits at most this long, and the last of an attempt is always sent. */
const PROGRESS_EVERY_MS = 100

/** The attempt loop: rsync runs, the classifier names the result, the policy decides, the loop obeys. */
export async function runAttemptLoop(spec: LoopSpec, rt: LoopRuntime): Promise<LoopOutcome> {
  const history: AttemptResult[] = []
  const warnings: string[] = []
  const tag = spec.label ? `[${spec.label}] ` : ''
  for (;;) {
    const result = await runOneAttempt(spec, rt, spec.nextAttempt(), tag)
    history.push(result)
    rt.bus.emit({type: 'attempt-end', attempt: result.attempt, code: result.code, reason: result.reason, class: result.class, stderrTail: result.stderrTail})

    if (result.class === 'ok' && !result.interrupted) return {exitCode: EXIT.Succeed, attempts: history, warnings}
    if (result.interrupted) return {exitCode: result.exitCode, attempts: history, warnings}

    const decision = spec.retryPolicy.decide(result, history)
    const which = attemptLabel(result, history, spec.retryPolicy.maxAttempts)
    if (!decision.retry) {
      const exitCode = decision.exitCode ?? result.exitCode
      if (decision.warning) {
        warnings.push(decision.warning)
        rt.log.warn(`${tag}${decision.warning}`)
      }
      if (exitCode !== EXIT.Succeed) {
        const message = result.retryable ? MSG_MAX_RETRY : MSG_UNRECOVERABLE
        rt.log.error(`${tag}${message}: attempt ${which} ${result.reason} (${result.class}, ${result.rule}, exit ${exitCode})${tailLines(result.stderrTail)}`)
      }
      return {exitCode, attempts: history, warnings}
    }
    rt.log.warn(
      `${tag}attempt ${which} failed: ${result.reason} (${result.class}, ${result.rule}); ` +
        `retrying${decision.delayMs > 0 ? ` in ${decision.delayMs} ms` : ''}${decision.counted ? '' : ' (not counted)'}${tailLines(result.stderrTail)}`,
    )
    rt.bus.emit({type: 'retry', attempt: result.attempt, delayMs: decision.delayMs, counted: decision.counted})
    await rt.stop.sleep(decision.delayMs)
    if (rt.stop.stopped) return {exitCode: result.exitCode, attempts: history, warnings}
  }
}

/** One rsync start with its events, the sweep after an unclean end, and the classifier's verdict. */
async function runOneAttempt(spec: LoopSpec, rt: LoopRuntime, attempt: number, tag: string): Promise<AttemptResult> {
  const attemptStarted = Date.now()
  rt.bus.emit({type: 'attempt-start', attempt})
  if (spec.dryRun !== true) await resumeInterrupted(spec, rt, tag)
  rt.log.debug(`${tag}attempt ${attempt}: ${spec.rsyncPath} ${spec.args.map((a) => JSON.stringify(a)).join(' ')}`)
  const progress = trailingThrottle<ProgressSample>(PROGRESS_EVERY_MS, (sample) =>
    rt.bus.emit({type: 'progress', attempt, ...(rt.combine ? rt.combine(spec.label ?? '', sample) : sample)}),
  )
  const raw = await runRsyncAttempt(
    {
      rsyncPath: spec.rsyncPath,
      args: spec.args,
      stderrTailBytes: spec.stderrTailBytes,
      graceMs: spec.graceMs,
      stop: rt.stop,
      ...(spec.env ? {env: spec.env} : {}),
    },
    {
      ...(rt.onStderr ? {onStderr: rt.onStderr} : {}),
      ...(rt.onLine ? {onLine: rt.onLine} : {}),
      onProgress: (sample) => progress.push(sample),
    },
  )
  // a sample still held back goes out now, as the attempt's last counters (its end-of-run summary included)
  progress.flush(raw.last)
  noteInterrupted(spec, rt, tag, raw.inFlight)
  if (mayLeaveTempFiles(raw.code, raw.interrupted)) {
    // a killed rsync could not keep its partial file (--partial): a large one is kept here, to be resumed
    const partials = partialKeeper()
    const removed = await sweepRsyncTemps(spec.src, spec.dest, attemptStarted, spec.owns, spec.dryRun === true ? undefined : partials.keep)
    noteInterrupted(spec, rt, tag, partials.kept)
    if (removed.length > 0) rt.log.info(`${tag}removed ${removed.length} temporary file(s) the interrupted rsync left: ${removed.join(', ')}`)
  }
  const classified = classify({code: raw.code, signal: raw.signal, stderr: raw.stderrTail}, spec.classifyRules)
  const verdict = spec.listed && listedFilesVanished(raw.code, raw.stderrTail) ? asVanished(classified) : classified
  return {
    attempt,
    code: raw.code,
    signal: raw.signal,
    reason: raw.reason,
    class: verdict.class,
    exitCode: verdict.exitCode,
    errno: verdict.errno,
    rule: verdict.rule,
    retryable: verdict.retryable,
    durationMs: raw.durationMs,
    filesTransferred: raw.last.filesTransferred,
    filesTotal: raw.last.filesTotal,
    bytes: raw.last.bytes ?? 0,
    stderrTail: raw.stderrTail,
    interrupted: raw.interrupted,
  }
}

/**
 * Before an attempt: the files an earlier attempt or run left partial when it
 * was stopped are finished with --append-verify (src/core/rsync/resume.ts).
 * Whatever that pass does, the attempt itself follows and copies the rest.
 */
async function resumeInterrupted(spec: LoopSpec, rt: LoopRuntime, tag: string): Promise<void> {
  const claimed = claimResumeLists(spec.dest)
  if (claimed === undefined) return
  try {
    let literal: string | undefined
    const raw = await runRsyncAttempt(
      {
        rsyncPath: spec.rsyncPath,
        args: resumeArgs(spec.args, claimed.listFile, spec.src, spec.dest),
        stderrTailBytes: spec.stderrTailBytes,
        graceMs: spec.graceMs,
        stop: rt.stop,
        ...(spec.env ? {env: spec.env} : {}),
      },
      {
        ...(rt.onStderr ? {onStderr: rt.onStderr} : {}),
        onLine: (line) => {
          const m = /^Literal data: ([\d,]+) bytes/.exec(line)
          if (m) literal = m[1]
        },
      },
    )
    const sent = literal === undefined ? '' : `: ${literal} byte(s) sent`
    rt.log.info(
      `${tag}resumed ${claimed.count} interrupted file(s) with --append-verify${sent}${raw.code === 0 ? '' : ` (${raw.reason}; the copy sends what is missing)`}`,
    )
    noteInterrupted(spec, rt, tag, raw.inFlight)
  } finally {
    claimed.release()
  }
}

function noteInterrupted(spec: LoopSpec, rt: LoopRuntime, tag: string, inFlight: readonly Buffer[]): void {
  if (inFlight.length === 0 || spec.dryRun === true) return
  const kept = recordInterrupted(spec.dest, inFlight)
  if (kept.length > 0) rt.log.info(`${tag}kept ${kept.length} partial file(s) to resume: ${kept.join(', ')}`)
}

/**
 * "n/N" for log lines: n counts the attempts the policy counts (uncounted
 * vanished retries would read "4/3"), N is the contract's optional
 * maxAttempts — nothing else of the policy is read.
 */
function attemptLabel(result: AttemptResult, history: readonly AttemptResult[], max: number | undefined): string {
  if (result.class === 'vanished') return `${result.attempt} (vanished files, not counted)`
  if (max === undefined) return `${result.attempt}`
  return `${history.filter((a) => a.class !== 'vanished').length}/${max}`
}

/** The last few stderr lines, indented, for a log line a person can act on. */
function tailLines(stderr: string, n = 3): string {
  const lines = stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
  return lines.length === 0 ? '' : `; stderr: ${lines.join(' | ')}`
}
