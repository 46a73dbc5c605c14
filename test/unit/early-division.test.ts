import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {EarlyDivision, MAX_EARLY_ENTRIES, QUIET_MS} from '../../src/core/split/early-division.js'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

/** A listing that has listed `n` entries; every division records the count it saw. */
function listing() {
  const state = {n: 0, divisions: [] as number[]}
  const early = new EarlyDivision(
    () => state.n,
    () => {
      state.divisions.push(state.n)
      return `division of ${state.n}`
    },
  )
  return {state, early}
}

describe('EarlyDivision: the listing divided while rsync ends, kept only when nothing came after', () => {
  it('divides once the listing has been quiet for a whole period, and keeps that division when nothing more came', () => {
    const {state, early} = listing()
    for (let i = 0; i < 5; i++) {
      state.n += 1000 // entries arrive at every sample
      vi.advanceTimersByTime(QUIET_MS)
    }
    expect(state.divisions).toEqual([])
    vi.advanceTimersByTime(QUIET_MS) // rsync is waiting for its children: nothing new
    expect(state.divisions).toEqual([5000])
    vi.advanceTimersByTime(10 * QUIET_MS)
    expect(state.divisions).toEqual([5000]) // not again for the same listing
    early.stop()
    expect(early.take()).toBe('division of 5000')
  })

  it('gives nothing when entries came after its division: the caller divides again', () => {
    const {state, early} = listing()
    state.n = 3000
    vi.advanceTimersByTime(2 * QUIET_MS)
    expect(state.divisions).toEqual([3000])
    state.n = 3001 // one more entry after a pause
    early.stop()
    expect(early.take()).toBeUndefined()
  })

  it('tries again only once the listing has grown by half, and never before the first entry', () => {
    const {state, early} = listing()
    vi.advanceTimersByTime(5 * QUIET_MS)
    expect(state.divisions).toEqual([]) // rsync has not listed anything yet
    state.n = 1000
    vi.advanceTimersByTime(2 * QUIET_MS)
    state.n = 1400 // a burst, then quiet again
    vi.advanceTimersByTime(2 * QUIET_MS)
    expect(state.divisions).toEqual([1000])
    state.n = 1500
    vi.advanceTimersByTime(2 * QUIET_MS)
    expect(state.divisions).toEqual([1000, 1500])
    early.stop()
    expect(early.take()).toBe('division of 1500')
  })

  it('does not divide a listing past MAX_EARLY_ENTRIES, and stops trying when stopped', () => {
    const {state, early} = listing()
    state.n = MAX_EARLY_ENTRIES + 1
    vi.advanceTimersByTime(3 * QUIET_MS)
    expect(state.divisions).toEqual([])
    early.stop()
    state.n = 10
    vi.advanceTimersByTime(3 * QUIET_MS)
    expect(state.divisions).toEqual([])
    expect(early.take()).toBeUndefined()
  })

  it('a division that throws (a list that cannot be written) is dropped, not thrown into the timer', () => {
    let n = 0
    const early = new EarlyDivision(
      () => n,
      () => {
        throw Object.assign(new Error('no space'), {code: 'ENOSPC'})
      },
    )
    n = 10
    expect(() => vi.advanceTimersByTime(3 * QUIET_MS)).not.toThrow()
    early.stop()
    expect(early.take()).toBeUndefined()
  })
})
