import type {CopyEvent, Logger, Reporter} from '../../plugin-api.js'

export interface NamedReporter {
  id: string
  reporter: Reporter
}

/** How long after the flush deadline a reporter may still log what it gave up on. */
const FLUSH_LAST_WORD_MS = 100

/**
 * Fans events out to reporters. A reporter is never awaited on the copy's hot
 * path, and one that throws never changes the copy's outcome; each distinct
 * failure is logged once, not once per event.
 */
export class EventBus {
  private readonly seen = new Set<string>()

  constructor(
    private readonly reporters: readonly NamedReporter[],
    private readonly log: Logger,
  ) {}

  emit(event: CopyEvent): void {
    for (const {id, reporter} of this.reporters) {
      try {
        const result = reporter.onEvent(event)
        if (result && typeof (result as Promise<void>).catch === 'function') {
          ;(result as Promise<void>).catch((error: unknown) => this.failed(id, error))
        }
      } catch (error) {
        this.failed(id, error)
      }
    }
  }

  /**
   * Gives every reporter until `deadline` (epoch ms) to deliver. A reporter
   * that honours the deadline gets FLUSH_LAST_WORD_MS more to say what it
   * abandoned (a timer of its own set for the deadline fires in the same
   * tick as ours); one that ignores it is left behind.
   */
  async flush(deadline: number): Promise<void> {
    const pending = this.reporters.map(async ({id, reporter}) => {
      try {
        await reporter.flush?.(deadline)
      } catch (error) {
        this.failed(id, error)
      }
    })
    let timer: NodeJS.Timeout | undefined
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + FLUSH_LAST_WORD_MS)
    })
    await Promise.race([Promise.all(pending), budget])
    clearTimeout(timer)
  }

  private failed(id: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    const key = `${id}\0${message}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.log.warn(`reporter ${id} failed: ${message}`)
  }
}
