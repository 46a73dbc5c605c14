/**
 * At most one value per `periodMs`, and never one held back longer than that:
 * the last value of a burst is delivered when the period ends, not when the
 * attempt does (spec §8.1: a burst followed by one large file must not leave
 * the receiver at the pre-burst count).
 */
export interface Throttle<T> {
  push(value: T): void
  /** stops the timer and delivers what is pending now (as `latest`, when given: it supersedes the pending value) */
  flush(latest?: T): void
}

export function trailingThrottle<T>(periodMs: number, deliver: (value: T) => void, now: () => number = Date.now): Throttle<T> {
  let last = Number.NEGATIVE_INFINITY
  let pending: {value: T} | undefined
  let timer: NodeJS.Timeout | undefined
  const send = (value: T) => {
    last = now()
    pending = undefined
    deliver(value)
  }
  return {
    push(value) {
      const wait = last + periodMs - now()
      if (wait <= 0 && timer === undefined) return send(value)
      pending = {value}
      timer ??= setTimeout(
        () => {
          timer = undefined
          if (pending) send(pending.value)
        },
        Math.max(0, wait),
      )
      // a pending sample never keeps a finished run alive
      timer.unref()
    },
    flush(latest) {
      if (timer) clearTimeout(timer)
      timer = undefined
      if (pending) send(latest ?? pending.value)
    },
  }
}
