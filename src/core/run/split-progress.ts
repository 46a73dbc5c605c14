import type {ProgressSample} from '../rsync/progress.js'
import type {WorkPlan} from '../split/plan.js'

/**
 * A split copy: one report stream, the workers' latest counters summed. The
 * total is the plan's from the start (rsync's own totals count `.` and the
 * implied directories once per worker, and grow while it scans).
 */
export function progressSummer(plans: readonly WorkPlan[]): (worker: string, sample: ProgressSample) => ProgressSample {
  const latest = new Map<string, ProgressSample>()
  const filesTotal = plannedTotal(plans)
  return (worker, sample) => {
    latest.set(worker, sample)
    let filesTransferred = 0
    let bytes = 0
    for (const s of latest.values()) {
      filesTransferred += s.filesTransferred
      bytes += s.bytes ?? 0
    }
    return {filesTransferred, filesTotal: filesTotal ?? [...latest.values()].reduce((n, s) => n + s.filesTotal, 0), bytes}
  }
}

/** What a split copy's parts count together, as a plain copy counts them; undefined for a plain copy. */
export function plannedTotal(plans: readonly WorkPlan[]): number | undefined {
  return plans.every((p) => p.total !== undefined) ? plans.reduce((n, p) => n + (p.total ?? 0), 0) : undefined
}
