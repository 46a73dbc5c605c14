import {randomHex} from '../random-hex.js'
import {closeSync, futimesSync, openSync, readdirSync, renameSync, readFileSync, readlinkSync, rmSync, statSync, writeSync} from 'node:fs'
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
 * sweeps what that run left. A marker written in this boot and pid namespace
 * by a pid that is gone is dead at once (see `ownerLine`).
 */
export interface RunMarker {
  /** markers of runs into this dest that are gone */
  readonly dead: readonly string[]
  /** stops the heartbeat; removes this run's marker and the dead ones (after their leftovers were swept) */
  release(): void
}

/** Which part of the tree a run copies: one shard's files, or all of them. */
export type RunPart = {index: number; count: number} | undefined

export function claimRunMarker(dest: string, now = Date.now(), part?: RunPart): RunMarker {
  const trimmed = dest.replace(/\/+$/, '') || '/'
  const parent = dirname(trimmed)
  const prefix = `.transporter-run-${basename(trimmed)}-`
  const dead = deadMarkers(parent, prefix, now)
  const own = join(parent, `${prefix}${randomHex(6)}`)
  let fd: number | undefined
  try {
    fd = openSync(own, 'wx', 0o600)
    writeSync(fd, ownerLine(part))
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
      if (open.has(`${st.dev}:${st.ino}`)) continue
      if (!(st.mtimeMs < now - DEAD_AFTER_MS || goneHere(path))) continue
      // claimed by a rename, so of two runs that find it at once only one sweeps what the dead run left
      const claimed = join(dir, `.transporter-swept-${name.slice('.transporter-run-'.length)}`)
      renameSync(path, claimed)
      dead.push(claimed)
    } catch {
      // removed meanwhile by its own run, or claimed by another run
    }
  }
  return dead
}

/**
 * `<boot id> <pid namespace> <pid>`: who holds the marker. A run in this very
 * boot and pid namespace whose pid is gone is dead now — a shard rerun right
 * after an OOM kill need not wait out the heartbeat. Any other marker (another
 * container, another host, a pid that lives on, maybe reused) is dead only by
 * the heartbeat rule.
 */
function ownerLine(part: RunPart): string {
  return `${hostIdentity() ?? '- -'} ${process.pid} ${part === undefined ? '-' : `${part.index}/${part.count}`}\n`
}

const OWNER = /^(\S+ \S+) (\d+) (-|(\d+)\/(\d+))\n$/

/**
 * The part a dead run copied, read from its marker: a shard's temp files are
 * those of its own files, so whoever finds the marker sweeps that part (and
 * may then remove the marker). undefined: the whole tree, or not known.
 */
export function deadRunPart(path: string): RunPart {
  const m = readOwner(path)
  return m?.[4] === undefined ? undefined : {index: Number(m[4]), count: Number(m[5])}
}

/** The marker's owner line, parsed; null when it is gone or not in this form (an older run's empty marker). */
function readOwner(path: string): RegExpExecArray | null {
  try {
    return OWNER.exec(readFileSync(path, 'latin1'))
  } catch {
    return null
  }
}

function hostIdentity(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim()
    const ns = readlinkSync('/proc/self/ns/pid')
    return /^[\w-]+$/.test(boot) && /^pid:\[\d+\]$/.test(ns) ? `${boot} ${ns}` : undefined
  } catch {
    return undefined
  }
}

function goneHere(path: string): boolean {
  const id = hostIdentity()
  const m = readOwner(path)
  if (id === undefined || m === null || m[1] !== id) return false
  try {
    process.kill(Number(m[2]), 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
