import {spawn} from 'node:child_process'
import {trackGroup, untrackGroup, signalGroup} from './children.js'
import {findSetpriv, resolveExecutable} from './exec-path.js'
import {readBudget} from './reclaim.js'
import {LineSplitter, parseProgressLine, parseStatsLine, type ProgressSample} from './progress.js'
import {withoutTransporterEnv} from '../secrets/redact.js'
import {exitReason, signalReason, startFailureReason} from '../codes/go-reason.js'
import {TailBuffer} from './ring-buffer.js'
import type {StopController} from '../run/stop.js'

export interface AttemptIo {
  /** rsync's stderr bytes as they arrive (echoed unless --quiet); a returned promise pauses reading until it settles (backpressure) */
  onStderr?: (chunk: Buffer) => void | Promise<void>
  /** every parsed progress update */
  onProgress?: (sample: ProgressSample) => void
  /** every stdout line (verify reads itemized changes) */
  onLine?: (line: string) => void
}

export interface AttemptSpec {
  rsyncPath: string
  args: string[]
  stderrTailBytes: number
  graceMs: number
  stop: StopController
  env?: NodeJS.ProcessEnv
}

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
  let last: ProgressSample = {filesTransferred: 0, filesTotal: 0}
  // the end-of-run summary, when rsync prints one; it wins over the last live sample
  const summary: Partial<ProgressSample> = {}
  const splitter = new LineSplitter((line) => {
    io.onLine?.(line)
    const sample = parseProgressLine(line)
    if (!sample) {
      Object.assign(summary, parseStatsLine(line))
      return
    }
    last = sample
    io.onProgress?.(sample)
  })

  return new Promise((resolve) => {
    let settled = false
    let offStop: () => void = () => {}
    let interrupted = false
    let killTimer: NodeJS.Timeout | undefined
    const finish = (result: Omit<RawAttempt, 'stderrTail' | 'last' | 'durationMs' | 'interrupted'>) => {
      if (settled) return
      settled = true
      if (killTimer) clearTimeout(killTimer)
      offStop()
      splitter.end()
      resolve({...result, stderrTail: tail.text(), last: {...last, ...summary}, durationMs: Date.now() - started, interrupted})
    }

    // rsync has no use for transporter's variables, and TRANSPORTER_REPORT_ADDR may hold credentials
    const env = withoutTransporterEnv(spec.env ?? process.env)
    const found = resolveExecutable(spec.rsyncPath, env.PATH)
    if ('errno' in found) {
      settled = true
      resolve({code: -11, reason: startFailureReason(spec.rsyncPath, found.errno), stderrTail: '', last, durationMs: 0, interrupted: false})
      return
    }
    const setpriv = deathSignalWrapper()
    const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', found.path, ...spec.args]] : [found.path, spec.args]
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(command, argv, {detached: true, stdio: ['ignore', 'pipe', 'pipe'], env})
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      settled = true
      resolve({code: -11, reason: startFailureReason(spec.rsyncPath, code), stderrTail: '', last, durationMs: 0, interrupted: false})
      return
    }

    const pgid = child.pid
    if (pgid !== undefined) trackGroup(pgid)
    // At once: a spawn that fails (EMFILE, EAGAIN) reports it on the next tick, with no pipes.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pgid !== undefined) untrackGroup(pgid)
      finish({code: -11, reason: startFailureReason(spec.rsyncPath, error.code)})
    })
    if (!child.stdout || !child.stderr) return
    const {stdout, stderr} = child

    offStop = spec.stop.onStop((signal, hard) => {
      interrupted = true
      if (pgid === undefined) return
      if (hard) {
        signalGroup(pgid, 'SIGKILL')
        return
      }
      // rsync cleans up its temporary files on SIGTERM/SIGINT/SIGHUP; SIGKILL only after the grace period.
      signalGroup(pgid, signal)
      killTimer ??= setTimeout(() => signalGroup(pgid, 'SIGKILL'), spec.graceMs)
      killTimer.unref()
    })

    const counted = readBudget()
    stdout.setEncoding('latin1').on('data', (chunk: string) => {
      counted(chunk.length)
      splitter.push(chunk)
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

    child.on('close', (code, signal) => {
      if (pgid !== undefined) {
        // A child of rsync orphaned by a kill of the top process must not linger.
        signalGroup(pgid, 'SIGKILL')
        untrackGroup(pgid)
      }
      if (signal) finish({code: -1, signal, reason: signalReason(signal)})
      else if (code === null) finish({code: -12, reason: 'wait: no exit status'})
      else finish({code, reason: exitReason(code)})
    })
  })
}
