import type {AttemptResult, FactoryEnv, RetryPolicy} from 'transporter/plugin-api'
import {describe, expect, it} from 'vitest'
import {defaultRetry, parseDefaultRetryOptions} from '../src/retry-default.js'
import {drive, result} from './attempts.js'

// The factories ignore their env; the policy only sees options.
const env = {} as FactoryEnv

async function policy(options?: unknown): Promise<RetryPolicy> {
  return defaultRetry.create(options, env)
}

const RETRY_COUNTED = {retry: true, delayMs: 0, counted: true}
const RETRY_UNCOUNTED = {retry: true, delayMs: 0, counted: false}
const STOP = {retry: false}

describe('default retry policy', () => {
  it.each([
    {name: 'success stops', codes: [0], want: [STOP]},
    {name: 'three counted attempts, then stop', codes: [11, 23, 11, 11], want: [RETRY_COUNTED, RETRY_COUNTED, STOP]},
    {name: 'usage stops at once', codes: [1, 0], want: [STOP]},
    {name: 'fatal stops at once', codes: [3, 0], want: [STOP]},
    {name: 'fatal after a retry stops', codes: [11, 3, 0], want: [RETRY_COUNTED, STOP]},
    {name: 'success after retries', codes: [11, 23, 0], want: [RETRY_COUNTED, RETRY_COUNTED, STOP]},
    {
      name: '24,24,11,24,0 counts only the 11',
      codes: [24, 24, 11, 24, 0],
      want: [RETRY_UNCOUNTED, RETRY_UNCOUNTED, RETRY_COUNTED, RETRY_UNCOUNTED, STOP],
    },
    {
      name: 'vanished attempts never use up counted ones',
      codes: [24, 11, 24, 24, 11, 24, 11, 0],
      want: [RETRY_UNCOUNTED, RETRY_COUNTED, RETRY_UNCOUNTED, RETRY_UNCOUNTED, RETRY_COUNTED, RETRY_UNCOUNTED, STOP],
    },
  ])('$name', async ({codes, want}) => {
    expect(drive(await policy(), codes)).toEqual(want)
  })

  it('keeps the last attempt exit code at the limit (no override)', async () => {
    const decisions = drive(await policy(), [11, 11, 23])
    expect(decisions.at(-1)).toEqual({retry: false})
  })

  it('honours maxAttempts', async () => {
    expect(drive(await policy({maxAttempts: 1}), [11, 0])).toEqual([STOP])
    const five = drive(await policy({maxAttempts: 5}), [11, 11, 11, 11, 11, 11])
    expect(five).toHaveLength(5)
    expect(five.filter((d) => d.retry)).toHaveLength(4)
  })

  it('stops on an attempt interrupted by a signal to transporter', async () => {
    const p = await policy()
    const last = result(1, 20, {interrupted: true})
    expect(p.decide(last, [last])).toEqual({retry: false})
  })

  it('stops when the classifier marks the attempt not retryable', async () => {
    const p = await policy()
    const last = result(1, 11, {retryable: false})
    expect(p.decide(last, [last])).toEqual({retry: false})
  })

  it('6 vanished in a row end the run with exit 0 and a warning', async () => {
    const decisions = drive(await policy(), [24, 24, 24, 24, 24, 24, 24])
    expect(decisions).toHaveLength(6)
    expect(decisions.slice(0, 5)).toEqual(Array(5).fill(RETRY_UNCOUNTED))
    const last = decisions[5]
    expect(last).toMatchObject({retry: false, exitCode: 0})
    expect(last && !last.retry && last.warning).toMatch(/some source files vanished during the copy/)
  })

  it("vanished: 'fail' ends a vanished run with 255", async () => {
    const decisions = drive(await policy({vanished: 'fail'}), Array(10).fill(24))
    expect(decisions).toHaveLength(6)
    expect(decisions[5]).toMatchObject({retry: false, exitCode: 255, warning: expect.stringMatching(/vanished/)})
  })

  it('vanishedRetries bounds the uncounted retries; 0 stops on the first 24', async () => {
    expect(drive(await policy({vanishedRetries: 0}), [24, 0])).toEqual([expect.objectContaining({retry: false, exitCode: 0})])
    expect(drive(await policy({vanishedRetries: 2}), [24, 24, 24, 0])).toHaveLength(3)
  })

  it('a run of vanished attempts is counted from the last non-vanished attempt', async () => {
    // 5 vanished, one real failure, 5 vanished again: the streak restarted, so still retrying
    const decisions = drive(await policy(), [24, 24, 24, 24, 24, 11, 24, 24, 24, 24, 24, 0])
    expect(decisions.at(-1)).toEqual(STOP)
    expect(decisions).toHaveLength(12)
  })

  it('never loops forever: always-failing sequences end within maxAttempts × (vanishedRetries + 1)', async () => {
    let seed = 42
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const patterns: Array<(i: number) => number> = [
      () => 24,
      () => 11,
      (i) => (i % 6 === 5 ? 11 : 24), // the worst case: full vanished streaks between counted failures
      () => [11, 23, 24, 24, 30][Math.floor(rand() * 5)] ?? 24,
    ]
    for (const [maxAttempts, vanishedRetries] of [
      [3, 5],
      [1, 0],
      [5, 2],
      [2, 9],
    ] as const) {
      for (const pattern of patterns) {
        for (let run = 0; run < 20; run++) {
          const p = await policy({maxAttempts, vanishedRetries})
          const history: AttemptResult[] = []
          let stopped = false
          for (let i = 0; i < 10_000 && !stopped; i++) {
            const last = result(i + 1, pattern(i))
            history.push(last)
            stopped = !p.decide(last, history).retry
          }
          expect(stopped).toBe(true)
          expect(history.length).toBeLessThanOrEqual(maxAttempts * (vanishedRetries + 1))
        }
      }
    }
  })

  it('accepts a history that does not yet contain the last attempt', async () => {
    const p = await policy()
    const h = [result(1, 11), result(2, 11)]
    expect(p.decide(result(3, 11), h)).toEqual({retry: false})
  })
})

describe('default retry options', () => {
  it('defaults', () => {
    expect(parseDefaultRetryOptions(undefined)).toEqual({maxAttempts: 3, vanishedRetries: 5, vanished: 'succeed'})
    expect(parseDefaultRetryOptions({maxAttempts: 7, vanished: 'fail'})).toEqual({
      maxAttempts: 7,
      vanishedRetries: 5,
      vanished: 'fail',
    })
  })

  it.each([
    {options: {maxAttempts: 0}, message: /'maxAttempts' must be an integer ≥ 1, got 0/},
    {options: {maxAttempts: 2.5}, message: /'maxAttempts' must be an integer ≥ 1, got 2.5/},
    {options: {maxAttempts: '3'}, message: /'maxAttempts' must be an integer ≥ 1, got "3"/},
    {options: {vanishedRetries: -1}, message: /'vanishedRetries' must be an integer ≥ 0/},
    {options: {vanished: 'ignore'}, message: /'vanished' must be one of 'succeed', 'fail', got "ignore"/},
    {options: {maxAttempt: 3}, message: /unknown option 'maxAttempt' \(known options: maxAttempts, vanishedRetries, vanished\)/},
    {options: [3], message: /options must be an object/},
  ])('rejects $options', async ({options, message}) => {
    await expect(async () => defaultRetry.create(options, env)).rejects.toThrow(message)
    expect(() => parseDefaultRetryOptions(options)).toThrow(/^retry policy 'default': /)
  })

  it('has a description', () => {
    expect(defaultRetry.description).toMatch(/maxAttempts/)
  })
})
