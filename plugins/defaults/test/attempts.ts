import type {AttemptResult, CopyClass, RetryDecision, RetryPolicy} from 'transporter/plugin-api'
import {attempt} from '../../../src/testing/retry-policy.js'

// The seed's table for the codes these tests use: class and transporter exit code.
const SEED: Record<number, [CopyClass, number]> = {
  0: ['ok', 0],
  1: ['usage', 22],
  3: ['fatal', 2],
  11: ['retryable', 5],
  12: ['retryable', 5],
  23: ['partial', 13],
  24: ['vanished', 0],
  30: ['retryable', 255],
}

/**
 * The attempt result the copy loop builds for rsync exit `code` under the seed
 * table (unknown codes: retryable, exit 255). It made some progress unless
 * `extra` says otherwise, so no-progress rules stay out of the way.
 */
export function result(n: number, code: number, extra: Partial<AttemptResult> = {}): AttemptResult {
  const [cls, exitCode] = SEED[code] ?? ['retryable', 255]
  return attempt(n, cls, {code, exitCode, rule: `code:${code}`, filesTransferred: 1, filesTotal: 10, bytes: 100, ...extra})
}

/** An rsync exit code, or one with fields that override the defaults of `result`. */
export type Step = number | [number, Partial<AttemptResult>]

/** Feeds steps one by one the way the engine does; stops at the first {retry:false}. */
export function drive(p: RetryPolicy, steps: Step[]): RetryDecision[] {
  const history: AttemptResult[] = []
  const decisions: RetryDecision[] = []
  for (const [i, step] of steps.entries()) {
    const [code, extra] = typeof step === 'number' ? [step, {}] : step
    const last = result(i + 1, code, extra)
    history.push(last)
    const decision = p.decide(last, [...history])
    decisions.push(decision)
    if (!decision.retry) break
  }
  return decisions
}
