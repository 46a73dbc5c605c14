import {describe, expect, it} from 'vitest'
import type {AttemptResult, CopyClass, Factory, RetryDecision, RetryPolicy} from '../plugin-api.js'
import {testFactoryEnv, type TestEnv} from './env.js'

export interface RetryPolicyConformanceOptions {
  options?: unknown
  env?: () => TestEnv
  /** no run may take more attempts than this (default 100) */
  maxAttempts?: number
}

const EXIT_BY_CLASS: Record<CopyClass, {code: number; exitCode: number}> = {
  ok: {code: 0, exitCode: 0},
  partial: {code: 23, exitCode: 13},
  vanished: {code: 24, exitCode: 0},
  retryable: {code: 11, exitCode: 5},
  fatal: {code: 11, exitCode: 28},
  usage: {code: 1, exitCode: 22},
}

/**
 * An attempt result as the copy loop builds it. `extra` overrides any field;
 * an overridden `code` also sets the reason (`exit status <code>`).
 */
export function attempt(n: number, cls: CopyClass, extra: Partial<AttemptResult> = {}): AttemptResult {
  const {exitCode} = EXIT_BY_CLASS[cls]
  const code = extra.code ?? EXIT_BY_CLASS[cls].code
  return {
    attempt: n,
    code,
    reason: `exit status ${code}`,
    class: cls,
    exitCode,
    rule: `conformance:${cls}`,
    retryable: cls === 'partial' || cls === 'vanished' || cls === 'retryable',
    durationMs: 10,
    filesTransferred: 0,
    filesTotal: 0,
    bytes: 0,
    stderrTail: '',
    ...extra,
  }
}

/** Checks the decision's shape; returns it for further checks. */
export function expectValidDecision(decision: RetryDecision): RetryDecision {
  expect(typeof decision).toBe('object')
  expect(typeof decision.retry).toBe('boolean')
  if (decision.retry) {
    expect(Number.isFinite(decision.delayMs), 'delayMs is a finite number').toBe(true)
    expect(decision.delayMs).toBeGreaterThanOrEqual(0)
    expect(typeof decision.counted).toBe('boolean')
  } else {
    if (decision.exitCode !== undefined) {
      expect(Number.isInteger(decision.exitCode)).toBe(true)
      expect(decision.exitCode).toBeGreaterThanOrEqual(0)
      expect(decision.exitCode).toBeLessThanOrEqual(255)
    }
    if (decision.warning !== undefined) expect(typeof decision.warning).toBe('string')
  }
  return decision
}

/** Feeds the policy attempts of the given classes (cycling) until it stops; returns the attempts made. */
export function runUntilStop(policy: RetryPolicy, classes: CopyClass[], limit: number): {attempts: number; last: RetryDecision} {
  const history: AttemptResult[] = []
  for (let n = 1; n <= limit; n++) {
    const last = attempt(n, classes[(n - 1) % classes.length]!, {filesTransferred: 0})
    history.push(last)
    const decision = expectValidDecision(policy.decide(last, [...history]))
    if (!decision.retry) return {attempts: n, last: decision}
  }
  throw new Error(`the policy still retried after ${limit} attempts of ${classes.join(', ')}`)
}

/**
 * The retry-policy contract (spec §6, §7.1): decide() returns a valid decision
 * for every class, never retries success, fatal or usage, and a run of failed
 * attempts ends within a bounded number of attempts.
 */
export function describeRetryPolicyConformance(name: string, factory: Factory<RetryPolicy>, opts: RetryPolicyConformanceOptions = {}): void {
  const makeEnv = opts.env ?? (() => testFactoryEnv())
  const limit = opts.maxAttempts ?? 100
  const create = async () => factory.create(opts.options ?? {}, makeEnv())

  describe(`retry policy conformance: ${name}`, () => {
    it('has a description', () => {
      expect(typeof factory.description).toBe('string')
      expect(factory.description.trim()).not.toBe('')
    })

    it('create() returns an object with decide()', async () => {
      const policy = await create()
      expect(typeof policy.decide).toBe('function')
    })

    it.each(['ok', 'fatal', 'usage'] as const)('never retries a %s attempt', async (cls) => {
      const policy = await create()
      const last = attempt(1, cls)
      expect(expectValidDecision(policy.decide(last, [last])).retry).toBe(false)
    })

    it.each(['retryable', 'partial', 'vanished'] as const)('returns a valid decision for a first %s attempt', async (cls) => {
      const policy = await create()
      const last = attempt(1, cls)
      expectValidDecision(policy.decide(last, [last]))
    })

    it.each([[['retryable']], [['partial']], [['vanished']], [['vanished', 'retryable']], [['retryable', 'vanished', 'vanished']]] as CopyClass[][][])(
      'a run of %j attempts ends',
      async (classes) => {
        const policy = await create()
        const {attempts} = runUntilStop(policy, classes, limit)
        expect(attempts).toBeLessThanOrEqual(limit)
      },
    )

    it('does not keep state between runs that changes its first decision', async () => {
      const policy = await create()
      runUntilStop(policy, ['retryable'], limit)
      const fresh = await create()
      const last = attempt(1, 'retryable')
      expect(policy.decide(last, [last]).retry).toBe(fresh.decide(last, [last]).retry)
    })
  })
}
