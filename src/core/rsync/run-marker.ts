import {randomHex} from '../random-hex.js'
import {closeSync, futimesSync, openSync, readdirSync, rmSync, statSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {openFiles} from './temp-sweep.js'

/** How often a live run touches its marker, and how long a marker may go untouched before its run counts as dead. */
const HEARTBEAT_MS = 10_000
const DEAD_AFTER_MS = 60_000

/**
 * A run into `dest` keeps `.transporter-run-<dest name>-<random>` open beside
 * dest (in its parent, never inside the tree being copied) and touches it
 * every 10 s. A transporter killed together with its rsync (a pod's cgroup
 * OOM kill) can remove neither its marker nor rsync's temp file; the next run
 * into the same dest finds a marker nobody holds open and nobody touched for a
 * minute — pids say nothing across containers, where every run is PID 1 — and
 * sweeps what that run left.
 */
export interface RunMarker {
  /** markers of runs into this dest that are gone */
  readonly dead: readonly string[]
  /** stops the heartbeat; removes this run's marker and the dead ones (after their leftovers were swept) */
  release(): void
}

export function claimRunMarker(dest: string, now = Date.now()): RunMarker {
  const trimmed = dest.replace(/\/+$/, '') || '/'
  const parent = dirname(trimmed)
  const prefix = `.transporter-run-${basename(trimmed)}-`
  const dead = deadMarkers(parent, prefix, now)
  const own = join(parent, `${prefix}${randomHex(6)}`)
  let fd: number | undefined
  try {
    fd = openSync(own, 'wx', 0o600)
  } catch {
    // a parent we may not write into: no marker, and no sweep for a later run to do
  }
  const heartbeat =
    fd === undefined
      ? undefined
      : setInterval(() => {
          const t = new Date()
          try {
            futimesSync(fd!, t, t)
          } catch {
            // the marker went away (its directory was cleaned): nothing to keep alive
          }
        }, HEARTBEAT_MS)
  heartbeat?.unref()
  return {
    dead,
    release() {
      if (heartbeat) clearInterval(heartbeat)
      if (fd !== undefined) {
        closeSync(fd)
        rmSync(own, {force: true})
      }
      for (const path of dead) rmSync(path, {force: true})
    },
  }
}

function deadMarkers(dir: string, prefix: string, now: number): string[] {
  let names: Buffer[]
  try {
    names = readdirSync(dir, {encoding: 'buffer'})
  } catch {
    return []
  }
  const candidates = names.map((n) => n.toString('latin1')).filter((n) => n.startsWith(prefix))
  if (candidates.length === 0) return []
  const open = openFiles()
  const dead: string[] = []
  for (const name of candidates) {
    const path = join(dir, name)
    try {
      const st = statSync(path)
      if (st.mtimeMs < now - DEAD_AFTER_MS && !open.has(`${st.dev}:${st.ino}`)) dead.push(path)
    } catch {
      // removed meanwhile by its own run
    }
  }
  return dead
}
