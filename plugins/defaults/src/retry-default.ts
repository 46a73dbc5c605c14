import type {AttemptResult, Factory, RetryDecision, RetryPolicy} from 'transporter/plugin-api'
import {enumOption, intOption, optionBag} from './options.js'

export type VanishedOutcome = 'succeed' | 'fail'
export type StopDecision = Extract<RetryDecision, {retry: false}>

/**
 * transporter's exit codes this policy names (spec §2). A plugin imports
 * types only, so it spells the two it needs, as it spells API_VERSION.
 */
const SUCCEED = 0
const ERR_SYSTEM = 255

export interface DefaultRetryOptions {
  /** counted attempts (the first one included) before giving up */
  maxAttempts: number
  /** uncounted retries of rsync code 24 in a row before the run ends */
  vanishedRetries: number
  /** how a run that still ends in 24 after vanishedRetries finishes */
  vanished: VanishedOutcome
}

export const DEFAULT_RETRY_OPTIONS: Readonly<DefaultRetryOptions> = {maxAttempts: 3, vanishedRetries: 5, vanished: 'succeed'}

const COMPONENT = "retry policy 'default'"

export function parseDefaultRetryOptions(options: unknown, component = COMPONENT): DefaultRetryOptions {
  const bag = optionBag(component, options, ['maxAttempts', 'vanishedRetries', 'vanished'])
  return {
    maxAttempts: intOption(component, bag, 'maxAttempts', {fallback: DEFAULT_RETRY_OPTIONS.maxAttempts, min: 1}),
    vanishedRetries: intOption(component, bag, 'vanishedRetries', {fallback: DEFAULT_RETRY_OPTIONS.vanishedRetries, min: 0}),
    vanished: enumOption(component, bag, 'vanished', ['succeed', 'fail'] as const, DEFAULT_RETRY_OPTIONS.vanished),
  }
}

/** `history` should end with `last` (the contract); tolerate a caller that passes it without. */
export function withLast(last: AttemptResult, history: readonly AttemptResult[]): readonly AttemptResult[] {
  return history.at(-1)?.attempt === last.attempt ? history : [...history, last]
}

/** Vanished (24) attempts are retried without counting; everything else that ran counts. */
export function isCounted(attempt: AttemptResult): boolean {
  return attempt.class !== 'vanished'
}

export function countedAttempts(history: readonly AttemptResult[]): AttemptResult[] {
  return history.filter(isCounted)
}

/** How many attempts at the end of history ended with vanished files, one after another. */
export function trailingVanished(history: readonly AttemptResult[]): number {
  let n = 0
  for (let i = history.length - 1; i >= 0 && history[i]?.class === 'vanished'; i--) n++
  return n
}

/** The run ends on vanished files: success with a warning, or a failure if so configured. */
export function vanishedStop(outcome: VanishedOutcome, inARow: number): StopDecision {
  const what = `some source files vanished during the copy (rsync exit 24 on ${inARow} attempt${inARow === 1 ? '' : 's'} in a row)`
  return outcome === 'succeed'
    ? {retry: false, exitCode: SUCCEED, warning: `${what}; everything else was copied, treating the copy as successful`}
    : {retry: false, exitCode: ERR_SYSTEM, warning: `${what}; treating the copy as failed (retry option vanished: 'fail')`}
}

/**
 * What every policy does before its own counted-retry rule: stop on success,
 * on a fatal or usage class, on an interrupted attempt; retry vanished files
 * uncounted up to a bound. Returns undefined when the attempt is a counted
 * retry candidate.
 */
export function decideCommon(
  last: AttemptResult,
  history: readonly AttemptResult[],
  opts: Pick<DefaultRetryOptions, 'vanishedRetries' | 'vanished'>,
): RetryDecision | undefined {
  // transporter itself is being stopped: never start rsync again
  if (last.interrupted) return {retry: false}
  switch (last.class) {
    case 'ok':
    case 'usage':
    case 'fatal':
      return {retry: false}
    case 'vanished': {
      // history ends with `last`, so the count is at least 1 and never exceeds vanishedRetries + 1
      const inARow = trailingVanished(history)
      if (inARow <= opts.vanishedRetries) return {retry: true, delayMs: 0, counted: false}
      return vanishedStop(opts.vanished, inARow)
    }
    default:
      // the classifier has the last word on whether this class may be retried
      return last.retryable ? undefined : {retry: false}
  }
}

export class DefaultRetryPolicy implements RetryPolicy {
  constructor(readonly options: DefaultRetryOptions) {}

  get maxAttempts(): number {
    return this.options.maxAttempts
  }

  decide(last: AttemptResult, allAttempts: AttemptResult[]): RetryDecision {
    const history = withLast(last, allAttempts)
    const common = decideCommon(last, history, this.options)
    if (common) return common
    // at the limit the engine exits with the last attempt's code and logs the retry-limit message
    if (countedAttempts(history).length >= this.options.maxAttempts) return {retry: false}
    return {retry: true, delayMs: 0, counted: true}
  }
}

export const defaultRetry: Factory<RetryPolicy> = {
  description:
    'retries recoverable rsync failures at once, up to maxAttempts (3) counted attempts; rsync 24 (vanished files) is retried uncounted up to vanishedRetries (5) times in a row',
  create(options) {
    return new DefaultRetryPolicy(parseDefaultRetryOptions(options))
  },
}
