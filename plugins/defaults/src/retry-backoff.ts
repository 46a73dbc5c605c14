import type {AttemptResult, Factory, RetryDecision, RetryPolicy} from 'transporter/plugin-api'
import {boolOption, enumOption, intOption, optionBag, optionalIntOption} from './options.js'
import {countedAttempts, decideCommon, DEFAULT_RETRY_OPTIONS, trailingVanished, type VanishedOutcome, vanishedStop, withLast} from './retry-default.js'

export interface BackoffRetryOptions {
  maxAttempts: number
  initialDelayMs: number
  maxDelayMs: number
  /** total budget for attempts plus delays; no retry would start past it */
  maxElapsedMs?: number | undefined
  /** stop early when the last two attempts copied nothing and failed the same way; off: waiting out an outage is what backoff is for */
  stopWhenStuck: boolean
  vanishedRetries: number
  vanished: VanishedOutcome
}

const COMPONENT = "retry policy 'backoff'"

export function parseBackoffRetryOptions(options: unknown): BackoffRetryOptions {
  const bag = optionBag(COMPONENT, options, ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'maxElapsedMs', 'stopWhenStuck', 'vanishedRetries', 'vanished'])
  const parsed: BackoffRetryOptions = {
    maxAttempts: intOption(COMPONENT, bag, 'maxAttempts', {fallback: 5, min: 1}),
    initialDelayMs: intOption(COMPONENT, bag, 'initialDelayMs', {fallback: 1000, min: 0}),
    maxDelayMs: intOption(COMPONENT, bag, 'maxDelayMs', {fallback: 60_000, min: 0}),
    maxElapsedMs: optionalIntOption(COMPONENT, bag, 'maxElapsedMs', 1),
    stopWhenStuck: boolOption(COMPONENT, bag, 'stopWhenStuck', false),
    vanishedRetries: intOption(COMPONENT, bag, 'vanishedRetries', {fallback: DEFAULT_RETRY_OPTIONS.vanishedRetries, min: 0}),
    vanished: enumOption(COMPONENT, bag, 'vanished', ['succeed', 'fail'] as const, DEFAULT_RETRY_OPTIONS.vanished),
  }
  if (parsed.maxDelayMs < parsed.initialDelayMs) {
    throw new Error(`${COMPONENT}: option 'maxDelayMs' (${parsed.maxDelayMs}) must be ≥ 'initialDelayMs' (${parsed.initialDelayMs})`)
  }
  return parsed
}

/** The jitter factor, uniform in [0.8, 1.2): spreads retries of many parallel jobs apart. */
export function jitterFactor(): number {
  return 0.8 + Math.random() * 0.4
}

/** Delay before counted retry n (1-based): min(maxDelayMs, initialDelayMs × 2^(n−1)) × factor, in whole ms. */
export function backoffDelayMs(n: number, initialDelayMs: number, maxDelayMs: number, factor = jitterFactor()): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, n - 1))
  return Math.round(base * factor)
}

/** The same failure: same rsync code and same deciding errno. */
function sameFailure(a: AttemptResult, b: AttemptResult): boolean {
  return a.code === b.code && a.errno === b.errno
}

function madeNoProgress(a: AttemptResult): boolean {
  return a.filesTransferred === 0 && a.bytes === 0
}

export class BackoffRetryPolicy implements RetryPolicy {
  /** delay handed out after each attempt (by attempt number), for the elapsed budget */
  readonly #delays = new Map<number, number>()

  constructor(readonly options: BackoffRetryOptions) {}

  get maxAttempts(): number {
    return this.options.maxAttempts
  }

  decide(last: AttemptResult, allAttempts: AttemptResult[]): RetryDecision {
    const history = withLast(last, allAttempts)
    const common = decideCommon(last, history, this.options)
    if (common?.retry === false) return common

    const counted = countedAttempts(history)
    if (!common) {
      if (counted.length >= this.options.maxAttempts) return {retry: false}
      const [before, latest] = counted.slice(-2)
      if (this.options.stopWhenStuck && before && latest && madeNoProgress(before) && madeNoProgress(latest) && sameFailure(before, latest)) {
        return {
          retry: false,
          warning: `stopping retries: the last two attempts copied nothing and failed the same way (${latest.reason})`,
        }
      }
    }

    const delayMs = common ? 0 : backoffDelayMs(counted.length, this.options.initialDelayMs, this.options.maxDelayMs)
    const {maxElapsedMs} = this.options
    if (maxElapsedMs !== undefined) {
      const spent = history.reduce((sum, a) => sum + a.durationMs + (a === last ? 0 : (this.#delays.get(a.attempt) ?? 0)), 0)
      if (spent + delayMs > maxElapsedMs) {
        const why = `the time budget maxElapsedMs=${maxElapsedMs} would be exceeded (${spent} ms spent, next delay ${delayMs} ms)`
        // a run that ends on vanished files still ends the way `vanished` says
        if (common) {
          const stop = vanishedStop(this.options.vanished, trailingVanished(history))
          return {...stop, warning: `${stop.warning ?? ''}; no more retries: ${why}`}
        }
        return {retry: false, warning: `stopping retries: ${why}`}
      }
    }
    this.#delays.set(last.attempt, delayMs)
    return common ?? {retry: true, delayMs, counted: true}
  }
}

export const backoffRetry: Factory<RetryPolicy> = {
  description:
    'retries recoverable rsync failures with exponential backoff and jitter (maxAttempts 5, initialDelayMs 1000, maxDelayMs 60000, optional maxElapsedMs); with stopWhenStuck, stops early when attempts make no progress and fail the same way',
  create(options) {
    return new BackoffRetryPolicy(parseBackoffRetryOptions(options))
  },
}
