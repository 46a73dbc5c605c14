import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {trailingThrottle} from '../../src/core/run/throttle.js'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('trailingThrottle: progress at most every period, the latest never held longer (spec §8.1)', () => {
  it('a burst sends its first sample at once and its last one when the period ends, not later', () => {
    const sent: number[] = []
    const t = trailingThrottle<number>(100, (v) => sent.push(v))
    for (let i = 1; i <= 50; i++) t.push(i) // a burst of small files
    expect(sent).toEqual([1])
    vi.advanceTimersByTime(99)
    expect(sent).toEqual([1])
    vi.advanceTimersByTime(1) // then one large file prints nothing for a long time
    expect(sent).toEqual([1, 50])
    vi.advanceTimersByTime(10_000)
    expect(sent).toEqual([1, 50])
  })

  it('while updates keep coming, sends the latest one at each period boundary', () => {
    const sent: number[] = []
    const t = trailingThrottle<number>(100, (v) => sent.push(v))
    for (let i = 1; i <= 30; i++) {
      t.push(i) // at 0, 10, …, 290 ms
      vi.advanceTimersByTime(10)
    }
    expect(sent).toEqual([1, 10, 20, 30])
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual([1, 10, 20, 30])
  })

  it('flush delivers what is pending at once, as the final value when given, and nothing when nothing is pending', () => {
    const sent: number[] = []
    const t = trailingThrottle<number>(100, (v) => sent.push(v))
    t.push(1)
    t.push(2)
    t.flush(3)
    expect(sent).toEqual([1, 3])
    t.flush(4)
    expect(sent).toEqual([1, 3])
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual([1, 3])
  })
})
