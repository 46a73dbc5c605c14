import type {FactoryEnv, RetryDecision, RetryPolicy} from 'transporter/plugin-api'
import {describe, expect, it} from 'vitest'
import {backoffDelayMs, backoffRetry, jitterFactor, parseBackoffRetryOptions} from '../src/retry-backoff.js'
import {drive, result, type Step} from './attempts.js'

// The factories ignore their env; the policy only sees options.
const env = {} as FactoryEnv

async function policy(options?: unknown): Promise<RetryPolicy> {
  return backoffRetry.create(options, env)
}

function delays(decisions: RetryDecision[]): number[] {
  return decisions.flatMap((d) => (d.retry ? [d.delayMs] : []))
}

describe('backoff delay', () => {
  it('follows min(maxDelayMs, initialDelayMs × 2^(n−1)) with factor 1', () => {
    const got = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, 1000, 60_000, 1))
    expect(got).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000])
    // no overflow to NaN or Infinity however many retries
    expect(backoffDelayMs(5000, 1000, 60_000, 1)).toBe(60_000)
    expect(backoffDelayMs(3, 1000, 60_000, 0.8)).toBe(3200)
    expect(backoffDelayMs(3, 1000, 60_000, 1.2)).toBe(4800)
  })

  it('jitter factor stays in [0.8, 1.2) and spreads over the range', () => {
    const samples = Array.from({length: 5000}, () => jitterFactor())
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0.8)
    expect(Math.max(...samples)).toBeLessThan(1.2)
    // uniform: with 5000 samples both tails and the mean are hit with overwhelming probability
    expect(Math.min(...samples)).toBeLessThan(0.82)
    expect(Math.max(...samples)).toBeGreaterThan(1.18)
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length
    expect(mean).toBeGreaterThan(0.98)
    expect(mean).toBeLessThan(1.02)
  })

  it('random delays stay within [0.8, 1.2] × the formula', () => {
    for (let n = 1; n <= 10; n++) {
      const base = Math.min(60_000, 1000 * 2 ** (n - 1))
      for (let i = 0; i < 200; i++) {
        const d = backoffDelayMs(n, 1000, 60_000)
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8))
        expect(d).toBeLessThanOrEqual(Math.ceil(base * 1.2))
      }
    }
  })
})

describe('backoff retry policy', () => {
  it('delays counted retries exponentially, jittered and capped', async () => {
    const decisions = drive(await policy({maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 1000}), Array(9).fill(11))
    expect(decisions).toHaveLength(8)
    expect(decisions.at(-1)).toEqual({retry: false})
    const got = delays(decisions)
    const bases = [100, 200, 400, 800, 1000, 1000, 1000]
    expect(got).toHaveLength(bases.length)
    for (const [i, base] of bases.entries()) {
      expect(got[i]).toBeGreaterThanOrEqual(base * 0.8)
      expect(got[i]).toBeLessThanOrEqual(base * 1.2)
    }
    expect(decisions.filter((d) => d.retry).every((d) => d.retry && d.counted)).toBe(true)
  })

  it('defaults to 5 counted attempts starting at about 1 s', async () => {
    const decisions = drive(await policy(), Array(10).fill(23))
    expect(decisions).toHaveLength(5)
    const first = delays(decisions)[0]
    expect(first).toBeGreaterThanOrEqual(800)
    expect(first).toBeLessThanOrEqual(1200)
  })

  it('handles classes like the default policy', async () => {
    expect(drive(await policy(), [0])).toEqual([{retry: false}])
    expect(drive(await policy(), [1, 0])).toEqual([{retry: false}])
    expect(drive(await policy(), [11, 3, 0])).toHaveLength(2)
    expect(drive(await policy(), [11, 3, 0]).at(-1)).toEqual({retry: false})
    // vanished: immediate, uncounted, bounded
    const vanished = drive(await policy(), Array(10).fill(24))
    expect(vanished.slice(0, 5)).toEqual(Array(5).fill({retry: true, delayMs: 0, counted: false}))
    expect(vanished[5]).toMatchObject({retry: false, exitCode: 0})
    expect(drive(await policy({vanished: 'fail', vanishedRetries: 1}), [24, 24, 24])[1]).toMatchObject({
      retry: false,
      exitCode: 255,
    })
    const p = await policy()
    const interrupted = result(1, 11, {interrupted: true})
    expect(p.decide(interrupted, [interrupted])).toEqual({retry: false})
  })

  it('vanished attempts do not count and do not grow the delay', async () => {
    const decisions = drive(await policy({initialDelayMs: 100, maxDelayMs: 10_000}), [11, 24, 24, 11, 24, 0])
    expect(decisions.map((d) => d.retry && d.counted)).toEqual([true, false, false, true, false, false])
    const counted = decisions.flatMap((d) => (d.retry && d.counted ? [d.delayMs] : []))
    expect(counted[0]).toBeLessThanOrEqual(120) // retry 1
    expect(counted[1]).toBeGreaterThanOrEqual(160) // retry 2, not retry 4
    expect(counted[1]).toBeLessThanOrEqual(240)
  })

  it('stops when the time budget would be exceeded', async () => {
    // attempts of 1000 ms, delays of 800..1200 ms: after attempt 2 at most 4400 ms are spent,
    // after attempt 3 at least 5400 would be: the third failure is the last
    const p = await policy({maxAttempts: 10, initialDelayMs: 1000, maxDelayMs: 1000, maxElapsedMs: 5000})
    const decisions = drive(p, Array(10).fill([11, {durationMs: 1000}]))
    expect(decisions).toHaveLength(3)
    expect(decisions.slice(0, 2).every((d) => d.retry)).toBe(true)
    expect(decisions[2]).toMatchObject({retry: false, warning: expect.stringMatching(/maxElapsedMs=5000/)})
  })

  it('a vanished run out of time budget ends the way `vanished` says', async () => {
    const p = await policy({maxElapsedMs: 1500})
    const decisions = drive(p, Array(5).fill([24, {durationMs: 1000}]))
    expect(decisions).toHaveLength(2)
    expect(decisions[1]).toMatchObject({retry: false, exitCode: 0, warning: expect.stringMatching(/vanished.*maxElapsedMs/)})
  })

  it('by default waits out an outage that fails the same way every time, up to maxAttempts (spec §7.1)', async () => {
    const none = {filesTransferred: 0, bytes: 0}
    const decisions = drive(await policy({initialDelayMs: 0}), Array(10).fill([11, none]))
    expect(decisions).toHaveLength(5)
    expect(decisions.slice(0, 4).every((d) => d.retry)).toBe(true)
    expect(decisions[4]).toEqual({retry: false})
  })

  it('with stopWhenStuck, stops when two counted attempts made no progress and failed the same way', async () => {
    const none = {filesTransferred: 0, bytes: 0}
    const stop = drive(await policy({initialDelayMs: 0, stopWhenStuck: true}), [
      [11, none],
      [11, none],
      [11, none],
    ])
    expect(stop).toHaveLength(2)
    expect(stop[1]).toMatchObject({retry: false, warning: expect.stringMatching(/no progress|copied nothing/)})
    // a vanished attempt in between does not hide the repetition
    expect(drive(await policy({initialDelayMs: 0, stopWhenStuck: true}), [[23, {...none, errno: 13}], 24, [23, {...none, errno: 13}], 0])).toHaveLength(3)
  })

  it.each([
    {
      name: 'different codes',
      steps: [
        [11, {filesTransferred: 0, bytes: 0}],
        [12, {filesTransferred: 0, bytes: 0}],
      ],
    },
    {
      name: 'different errno',
      steps: [
        [23, {filesTransferred: 0, bytes: 0, errno: 5}],
        [23, {filesTransferred: 0, bytes: 0, errno: 2}],
      ],
    },
    {
      name: 'progress made (files)',
      steps: [
        [11, {filesTransferred: 3, bytes: 0}],
        [11, {filesTransferred: 0, bytes: 0}],
      ],
    },
    {
      name: 'progress made (bytes)',
      steps: [
        [11, {filesTransferred: 0, bytes: 0}],
        [11, {filesTransferred: 0, bytes: 10}],
      ],
    },
  ] as Array<{name: string; steps: Step[]}>)('with stopWhenStuck, keeps retrying with $name', async ({steps}) => {
    const decisions = drive(await policy({initialDelayMs: 0, stopWhenStuck: true}), steps)
    expect(decisions).toHaveLength(2)
    expect(decisions.every((d) => d.retry)).toBe(true)
  })
})

describe('backoff options', () => {
  it('defaults', () => {
    expect(parseBackoffRetryOptions(undefined)).toEqual({
      maxAttempts: 5,
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      maxElapsedMs: undefined,
      stopWhenStuck: false,
      vanishedRetries: 5,
      vanished: 'succeed',
    })
  })

  it.each([
    {options: {maxAttempts: 0}, message: /'maxAttempts' must be an integer ≥ 1/},
    {options: {initialDelayMs: -5}, message: /'initialDelayMs' must be an integer ≥ 0/},
    {options: {maxElapsedMs: 'soon'}, message: /'maxElapsedMs' must be an integer ≥ 1, got "soon"/},
    {options: {initialDelayMs: 5000, maxDelayMs: 100}, message: /'maxDelayMs' \(100\) must be ≥ 'initialDelayMs' \(5000\)/},
    {options: {jitter: 0}, message: /unknown option 'jitter'/},
  ])('rejects $options', async ({options, message}) => {
    await expect(async () => backoffRetry.create(options, env)).rejects.toThrow(message)
    expect(() => parseBackoffRetryOptions(options)).toThrow(/^retry policy 'backoff': /)
  })
})
