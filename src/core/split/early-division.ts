import {LINES_SAMPLE_MS} from '../rsync/attempt.js'

/**
 * How long the listing must have been quiet before what it listed so far is divided: one period of the reads of
 * rsync's listing, so that a whole read brought nothing new (a shorter one would see quiet between two reads).
 */
export const QUIET_MS = LINES_SAMPLE_MS
/**
 * Past this many entries the wait it hides (~40 ms) is a small part of the
 * copy, and a division of a listing still growing (~60 ms per 100,000
 * entries) would hold up the event loop for nothing.
 */
export const MAX_EARLY_ENTRIES = 100_000
/** A retry needs the listing to have grown by half since the last try: all tries together cost at most three divisions of the whole. */
const GROWTH = 1.5

/**
 * A division of rsync's listing made while rsync is still running, kept only
 * when nothing was listed after it. rsync ends ~40 ms after its last entry:
 * it waits for its children in 20 ms sleeps, twice, and prints its summary
 * (the entry count that tells a complete listing) only then. Dividing 20,000
 * entries takes ~15 ms, so done in that wait it is off the copy's path.
 *
 * It is tried once the listing was quiet for a whole period, and again only
 * when the listing has since grown by half, so a source that lists in
 * bursts (slow storage) costs at most three divisions in all; never past
 * MAX_EARLY_ENTRIES.
 */
export class EarlyDivision<T> {
  private readonly timer: NodeJS.Timeout
  private seen = -1
  private triedAt = 0
  private made: {entries: number; result: T} | undefined

  /** `entries`: how many entries were listed so far; `divide`: the division of those, self-contained (its files closed) */
  constructor(
    private readonly entries: () => number,
    private readonly divide: () => T,
    periodMs = QUIET_MS,
  ) {
    this.timer = setInterval(() => this.tick(), periodMs)
  }

  private tick(): void {
    const now = this.entries()
    const quiet = now === this.seen
    this.seen = now
    if (!quiet || now === 0 || now > MAX_EARLY_ENTRIES || now < GROWTH * this.triedAt) return
    this.triedAt = now
    try {
      this.made = {entries: now, result: this.divide()}
    } catch {
      // a list that cannot be written: the division at the end meets it again and fails the split with it
      this.made = undefined
    }
  }

  /** No more tries: the listing is over. */
  stop(): void {
    clearInterval(this.timer)
  }

  /** The early division when it holds every entry listed, else undefined (divide again). */
  take(): T | undefined {
    return this.made !== undefined && this.made.entries === this.entries() ? this.made.result : undefined
  }
}
