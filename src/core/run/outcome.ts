import type {AttemptResult} from '../../plugin-api.js'
import {ERROR_KINDS, type ErrorCode, type ErrorKind} from '../codes/errors.js'
import {EXIT} from '../codes/exit.js'
import {terminatedReason} from '../codes/go-reason.js'
import {MSG_MAX_RETRY, MSG_UNRECOVERABLE} from '../codes/messages.js'
import type {LoopOutcome} from './attempt-loop.js'
import {signalExitCode, type StopController} from './stop.js'
import type {VerifyResult} from './verify.js'

/** One attempt, as --json shows it. */
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

/** What one run ended with: the loops' attempts, the verify pass, a signal, folded into one result. */
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

export interface Verified {
  /** undefined: a signal interrupted the pass */
  result: VerifyResult | undefined
  /** the verify pass itself failed */
  failure?: string
}

/** The most severe loop decides; a signal or a failed verify overrides a success. */
export function summarize(
  loops: readonly LoopOutcome[],
  started: number,
  stop: StopController,
  verified: Verified | undefined,
  /** a split copy's total as its plan counted it (the workers' rsyncs each count `.` and implied directories) */
  plannedTotal?: number,
): CopyOutcome {
  // null: the verify pass was interrupted, nothing is known (spec §10)
  const mismatches = verified === undefined || verified.failure !== undefined ? undefined : (verified.result?.mismatches ?? null)
  const attempts: AttemptResult[] = loops.flatMap((l) => l.attempts).sort((a, b) => a.attempt - b.attempt)
  const warnings = loops.flatMap((l) => l.warnings)
  // The most severe loop decides the exit code; its last attempt gives the reason and stderr.
  let worst: {loop: LoopOutcome; last: AttemptResult | undefined} | undefined
  for (const loop of loops) {
    const last = loop.attempts.at(-1)
    const rank = loop.exitCode === EXIT.Succeed ? 0 : (CLASS_RANK[last?.class ?? 'fatal'] ?? 4)
    const worstRank = worst ? (worst.loop.exitCode === EXIT.Succeed ? 0 : (CLASS_RANK[worst.last?.class ?? 'fatal'] ?? 4)) : -1
    if (rank > worstRank || (rank === worstRank && loop.exitCode > (worst?.loop.exitCode ?? -1))) worst = {loop, last}
  }
  let exitCode: number = worst?.loop.exitCode ?? EXIT.Succeed
  let cls: string = exitCode === EXIT.Succeed ? 'ok' : (worst?.last?.class ?? 'fatal')
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
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      code: a.code,
      reason: a.reason,
      class: a.class,
      exitCode: a.exitCode,
      durationMs: a.durationMs,
      filesTransferred: a.filesTransferred,
      bytes: a.bytes,
    })),
    filesTransferred: attempts.reduce((n, a) => n + a.filesTransferred, 0),
    filesTotal: plannedTotal ?? lastOfEach.reduce((n, a) => n + (a?.filesTotal ?? 0), 0),
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
