import {spawn, type ChildProcess} from 'node:child_process'
import type {Readable} from 'node:stream'
import {trackGroup, untrackGroup, signalGroup} from './children.js'
import {findSetpriv, resolveExecutable} from './exec-path.js'
import {readBudget} from './reclaim.js'
import {LineSplitter, parseProgressLine, parseStatsLine, type ProgressSample} from './progress.js'
import {withoutTransporterEnv} from '../secrets/redact.js'
import {exitReason, signalReason, startFailureReason} from '../codes/go-reason.js'
import {TailBuffer} from './ring-buffer.js'
import {StdoutFile} from './stdout-file.js'
import {groupGone, inFlightFiles} from './in-flight.js'
import type {StopController} from '../run/stop.js'

export interface AttemptIo {
  /** rsync's stderr bytes as they arrive (echoed unless --quiet); a returned promise pauses reading until it settles (backpressure) */
  onStderr?: (chunk: Buffer) => void | Promise<void>
  /** every parsed progress update */
  onProgress?: (sample: ProgressSample) => void
  /** every stdout line (verify reads itemized changes, a split copy rsync's listing of the source) */
  onLine?: (line: string) => void
  /** the longest stdout line handed to onLine (default 4096 characters; longer ones are dropped) */
  maxLine?: number
  /** stdout holds neither progress nor a summary (rsync's listing): lines go to onLine only */
  linesOnly?: boolean
}

export interface AttemptSpec {
  rsyncPath: string
  args: string[]
  stderrTailBytes: number
  graceMs: number
  stop: StopController
  env?: NodeJS.ProcessEnv
  /**
   * Where rsync's stdout goes. By default a regular file sampled every 100 ms when nobody needs every line
   * (progress only), a pipe otherwise. false: a pipe always. true: a file for a line consumer too (rsync's listing),
   * sampled every 10 ms and never truncated: rsync's thousands of small writes then never wait for Node to read a
   * socket, and Node reads them in a few large chunks.
   */
  stdoutFile?: boolean
  /** where that file is made (TMPDIR by default) */
  stdoutDir?: string
}

/** How often the files rsync is writing are looked up in /proc (a scan of its process group, ~1 ms). */
const IN_FLIGHT_MS = 1000

/** How long an rsync group killed from outside may take to be gone from /proc before the sweep looks anyway. */
const GROUP_GONE_MS = 2000

/** How often a file-backed stdout is sampled for progress (the events are throttled to 100 ms anyway). */
const SAMPLE_MS = 100

/** How often a file-backed stdout whose every line is wanted is read: often enough that parsing keeps up with rsync. */
export const LINES_SAMPLE_MS = 10

export interface RawAttempt {
  /** exit status; -1 killed by a signal; -10 pipe failure; -11 start failure; -12 wait failure */
  code: number
  signal?: NodeJS.Signals | undefined
  reason: string
  stderrTail: string
  last: ProgressSample
  durationMs: number
  /** transporter was asked to stop while this attempt ran */
  interrupted: boolean
  /** the files rsync was writing when it was asked to stop (final paths, bytes): --partial keeps them partial */
  inFlight: Buffer[]
}

let setprivPath: string | undefined | null = null
function deathSignalWrapper(): string | undefined {
  if (setprivPath === null) setprivPath = findSetpriv()
  return setprivPath
}

/** Runs rsync once in its own process group, stdin from /dev/null, no shell. */
export function runRsyncAttempt(spec: AttemptSpec, io: AttemptIo = {}): Promise<RawAttempt> {
  const started = Date.now()
  const tail = new TailBuffer(spec.stderrTailBytes)
  const out = stdoutReader(io)

  // progress (nobody reads it line by line) and rsync's listing are read from a file, which costs rsync far less than a pipe
  const everyLine = spec.stdoutFile === true
  const file =
    everyLine || (io.onLine === undefined && spec.stdoutFile !== false)
      ? StdoutFile.open({truncates: !everyLine, ...(spec.stdoutDir === undefined ? {} : {dir: spec.stdoutDir})})
      : undefined
  return new Promise((resolve) => {
    const spawned = spawnRsync(spec, file?.writeFd)
    if ('failure' in spawned) {
      file?.close()
      resolve({code: -11, reason: spawned.failure, stderrTail: '', last: out.last(), durationMs: 0, interrupted: false, inFlight: []})
      return
    }
    const {child} = spawned
    const pgid = child.pid
    if (pgid !== undefined) trackGroup(pgid)
    let settled = false
    let stop: ReturnType<typeof forwardStop> = {interrupted: false, inFlight: [], off: () => {}}
    let sampler: NodeJS.Timeout | undefined
    // which files rsync is writing, looked up now and then: when rsync is killed from outside, its receiver
    // may still keep a partial under the final name (--partial) before it dies, and that file is resumed
    let lastInFlight: Buffer[] = []
    let watcher: NodeJS.Timeout | undefined = undefined
    const finish = (result: Omit<RawAttempt, 'stderrTail' | 'last' | 'durationMs' | 'interrupted' | 'inFlight'>) => {
      if (settled) return
      settled = true
      stop.off()
      if (sampler) clearInterval(sampler)
      if (watcher) clearInterval(watcher)
      if (file) {
        file.drain((chunk) => out.splitter.push(chunk))
        file.close()
      }
      out.end()
      const unclean = result.code !== 0 && result.code !== 24 && result.code !== 23
      const inFlight = stop.interrupted ? stop.inFlight : unclean ? lastInFlight : []
      resolve({...result, stderrTail: tail.text(), last: out.last(), durationMs: Date.now() - started, interrupted: stop.interrupted, inFlight})
    }
    // At once: a spawn that fails (EMFILE, EAGAIN) reports it on the next tick, with no pipes.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pgid !== undefined) untrackGroup(pgid)
      finish({code: -11, reason: startFailureReason(spec.rsyncPath, error.code)})
    })
    if ((!file && !child.stdout) || !child.stderr || pgid === undefined) return
    stop = forwardStop(spec, pgid)
    readStreams(file ? undefined : child.stdout!, child.stderr, out, tail, io)
    if (file) sampler = setInterval(() => file.drain((chunk) => out.splitter.push(chunk)), everyLine ? LINES_SAMPLE_MS : SAMPLE_MS)
    watcher = setInterval(() => (lastInFlight = inFlightFiles(pgid)), IN_FLIGHT_MS)
    watcher.unref()
    child.on('close', (code, signal) => {
      // A child of rsync orphaned by a kill of the top process must not linger. After a success rsync has reaped its
      // children itself, and a kill of an empty group only costs the ESRCH error's making (~3 ms of a 60 ms start-up).
      if (code !== 0 || signal !== null) signalGroup(pgid, 'SIGKILL')
      untrackGroup(pgid)
      const done = () => {
        if (signal) finish({code: -1, signal, reason: signalReason(signal)})
        else if (code === null) finish({code: -12, reason: 'wait: no exit status'})
        else finish({code, reason: exitReason(code)})
      }
      // after an unclean end the temp-file sweep follows: the dying receiver must have let go of its file first
      if (signal !== null || code !== 0) void groupGone(pgid, GROUP_GONE_MS).then(done)
      else done()
    })
  })
}

/** rsync's stdout as lines: progress samples, the end-of-run summary (which wins over the last live sample), every line to `io`. */
function stdoutReader(io: AttemptIo): {splitter: LineSplitter; last(): ProgressSample; end(): void} {
  let last: ProgressSample = {filesTransferred: 0, filesTotal: 0}
  const summary: Partial<ProgressSample> = {}
  // whoever wants every line gets every line; otherwise only the latest of a run of updates is parsed
  const splitter = new LineSplitter(
    (line) => {
      io.onLine?.(line)
      if (io.linesOnly === true) return
      const sample = parseProgressLine(line)
      if (!sample) {
        Object.assign(summary, parseStatsLine(line))
        return
      }
      last = sample
      io.onProgress?.(sample)
    },
    {latestUpdate: io.onLine === undefined, ...(io.maxLine === undefined ? {} : {maxLine: io.maxLine})},
  )
  return {splitter, last: () => ({...last, ...summary}), end: () => splitter.end()}
}

/** Spawns rsync (under setpriv's parent-death signal when there is one), or says why it could not. */
function spawnRsync(spec: AttemptSpec, stdoutFd: number | undefined): {child: ChildProcess} | {failure: string} {
  // rsync has no use for transporter's variables, and TRANSPORTER_REPORT_ADDR may hold credentials
  const env = withoutTransporterEnv(spec.env ?? process.env)
  const found = resolveExecutable(spec.rsyncPath, env.PATH)
  if ('errno' in found) return {failure: startFailureReason(spec.rsyncPath, found.errno)}
  const setpriv = deathSignalWrapper()
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', found.path, ...spec.args]] : [found.path, spec.args]
  try {
    return {child: spawn(command, argv, {detached: true, stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'], env})}
  } catch (error) {
    return {failure: startFailureReason(spec.rsyncPath, (error as NodeJS.ErrnoException).code)}
  }
}

/**
 * A stop request reaches rsync's whole group: the same signal first (rsync then keeps what it wrote of its
 * current file, --partial), SIGKILL after the grace period. Which files those are is read just before.
 */
function forwardStop(spec: AttemptSpec, pgid: number): {interrupted: boolean; inFlight: Buffer[]; off: () => void} {
  let killTimer: NodeJS.Timeout | undefined
  const state = {interrupted: false, inFlight: [] as Buffer[], off: () => {}}
  const offStop = spec.stop.onStop((signal, hard) => {
    if (!state.interrupted) state.inFlight = inFlightFiles(pgid)
    state.interrupted = true
    if (hard) {
      signalGroup(pgid, 'SIGKILL')
      return
    }
    signalGroup(pgid, signal)
    killTimer ??= setTimeout(() => signalGroup(pgid, 'SIGKILL'), spec.graceMs)
    killTimer.unref()
  })
  state.off = () => {
    if (killTimer) clearTimeout(killTimer)
    offStop()
  }
  return state
}

/** stdout into the line reader, stderr into the bounded tail and to `io` (whose promise pauses reading: backpressure). */
function readStreams(stdout: Readable | undefined, stderr: Readable, out: {splitter: LineSplitter}, tail: TailBuffer, io: AttemptIo): void {
  const counted = readBudget()
  stdout?.setEncoding('latin1').on('data', (chunk: string) => {
    counted(chunk.length)
    out.splitter.push(chunk)
  })
  stderr.on('data', (chunk: Buffer) => {
    counted(chunk.length)
    tail.write(chunk)
    const wait = io.onStderr?.(chunk)
    if (wait) {
      stderr.pause()
      void wait.finally(() => stderr.resume())
    }
  })
}
