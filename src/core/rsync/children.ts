/**
 * Process groups of the rsync children still running. The CLI kills them on
 * every exit path (including its own crash) so rsync never outlives it.
 */
const live = new Set<number>()

export function trackGroup(pgid: number): void {
  live.add(pgid)
}

export function untrackGroup(pgid: number): void {
  live.delete(pgid)
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false
  }
}

/** Synchronous, so it works inside a process 'exit' handler. */
export function killAllGroups(signal: NodeJS.Signals = 'SIGKILL'): number {
  let n = 0
  for (const pgid of live) if (signalGroup(pgid, signal)) n++
  live.clear()
  return n
}
