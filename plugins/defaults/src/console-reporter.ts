import type {SingleBar} from 'cli-progress'
import type {CopyEvent, Factory, FactoryEnv, Reporter, TextSink} from 'transporter/plugin-api'
import {type AttemptProgress, formatBytes, formatRate, progressLine, rateOf} from './progress-format.js'
import {optionBag} from './options.js'

/** Injected clock, so tests can drive the line throttle without sleeping. */
export interface ConsoleClock {
  now(): number
}

const systemClock: ConsoleClock = {now: () => Date.now()}

/** Per-attempt counters as the events deliver them. */
class AttemptState {
  attempt = 0
  startedAt = 0
  filesTransferred = 0
  filesTotal = 0
  bytes: number | undefined

  begin(attempt: number, now: number): void {
    this.attempt = attempt
    this.startedAt = now
    this.filesTransferred = 0
    this.filesTotal = 0
    this.bytes = undefined
  }

  take(e: Extract<CopyEvent, {type: 'progress'}>): void {
    this.filesTransferred = e.filesTransferred
    this.filesTotal = e.filesTotal
    if (e.bytes !== undefined) this.bytes = e.bytes
  }

  snapshot(now: number): AttemptProgress {
    const {attempt, filesTransferred, filesTotal, bytes} = this
    return {attempt, filesTransferred, filesTotal, bytes, elapsedMs: now - this.startedAt}
  }
}

/** Plain lines for logs and CI: at most one per interval, plus one when each attempt ends. */
class PlainLines implements Reporter {
  readonly #state = new AttemptState()
  #lastLineAt = 0
  #lastKey = ''
  // Without --progress rsync prints no progress; a `0/0 files` line would mislead.
  #seen = false

  constructor(
    private readonly sink: TextSink,
    private readonly intervalMs: number,
    private readonly clock: ConsoleClock,
  ) {}

  onEvent(event: CopyEvent): void {
    const now = this.clock.now()
    if (event.type === 'attempt-start') {
      this.#state.begin(event.attempt, now)
      this.#lastLineAt = now
      this.#seen = false
    } else if (event.type === 'progress') {
      this.#seen = true
      this.#state.take(event)
      if (now - this.#lastLineAt >= this.intervalMs) this.#line(now)
    } else if (event.type === 'attempt-end' && this.#seen) {
      this.#line(now, true)
    }
  }

  #line(now: number, unlessRepeated = false): void {
    const snapshot = this.#state.snapshot(now)
    // the closing line of an attempt adds nothing when its counters were just printed
    const key = `${snapshot.attempt} ${snapshot.filesTransferred}/${snapshot.filesTotal} ${snapshot.bytes}`
    if (unlessRepeated && key === this.#lastKey) return
    this.#lastKey = key
    this.#lastLineAt = now
    this.sink.write(progressLine(new Date(now), snapshot))
  }
}

type BarModule = typeof import('cli-progress')

/**
 * The run's counters for one bar. With one attempt at a time (retries) the bar
 * shows the current attempt, whose counters restart with it. When attempts run
 * at once (`--parallel`), every progress event already carries the run's
 * counters (each worker's latest sample, summed, spec §9), so the bar takes
 * the latest event as it comes, whichever worker sent it, and a worker's end
 * or retry never resets it.
 */
class RunTally {
  readonly #running = new Set<number>()
  #concurrent = false
  #startedAt: number | undefined
  #attemptStartedAt = 0
  attempt = 0
  filesTransferred = 0
  filesTotal = 0
  bytes: number | undefined

  attemptStart(attempt: number, now: number): void {
    this.#startedAt ??= now
    this.#running.add(attempt)
    if (this.#running.size > 1) this.#concurrent = true
    this.attempt = Math.max(this.attempt, attempt)
    if (this.#concurrent) return
    this.#attemptStartedAt = now
    this.filesTransferred = 0
    this.filesTotal = 0
    this.bytes = undefined
  }

  attemptEnd(attempt: number): void {
    this.#running.delete(attempt)
  }

  take(e: Extract<CopyEvent, {type: 'progress'}>): void {
    // a late sample of an attempt that a sequential retry replaced says nothing about the bar's attempt
    if (!this.#concurrent && e.attempt !== this.attempt) return
    this.filesTransferred = e.filesTransferred
    this.filesTotal = e.filesTotal
    if (e.bytes !== undefined) this.bytes = e.bytes
  }

  get started(): boolean {
    return this.#startedAt !== undefined
  }

  /** "attempt 2 " on a retry; nothing for parallel workers, whose attempt numbers mean nothing to a person */
  get label(): string {
    return !this.#concurrent && this.attempt > 1 ? `attempt ${this.attempt} ` : ''
  }

  /** what the rate is measured over: the attempt, or the whole run when workers run at once */
  elapsedMs(now: number): number {
    return now - (this.#concurrent ? (this.#startedAt ?? now) : this.#attemptStartedAt)
  }

  runMs(now: number): number {
    return now - (this.#startedAt ?? now)
  }
}

const BAR_WIDTH = 24

/** `attempt 2 [██████░░░░]  48% | 12/25 files | 1.2 MB | 3.4 MB/s | ETA 4s` (ETA once there is a rate). */
export function barLine(
  p: {label: string; filesTransferred: number; filesTotal: number; bytes?: number | undefined; elapsedMs: number},
  tail?: string,
): string {
  const ratio = p.filesTotal > 0 ? Math.min(1, p.filesTransferred / p.filesTotal) : 0
  const filled = Math.round(ratio * BAR_WIDTH)
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
  const rate = p.bytes === undefined ? undefined : rateOf(p.bytes, p.elapsedMs)
  let eta = 'ETA -'
  if (p.filesTransferred > 0 && p.filesTotal > p.filesTransferred && p.elapsedMs > 0) {
    eta = `ETA ${formatSeconds(((p.filesTotal - p.filesTransferred) * p.elapsedMs) / p.filesTransferred)}`
  } else if (p.filesTotal > 0 && p.filesTransferred >= p.filesTotal) eta = 'ETA 0s'
  return [
    `${p.label}[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${percent}`,
    `${p.filesTransferred}/${p.filesTotal} files`,
    p.bytes === undefined ? '-' : formatBytes(p.bytes),
    rate === undefined ? '-' : formatRate(rate),
    tail ?? eta,
  ].join(' | ')
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/**
 * One live bar for the whole run, drawn as the host's status line
 * (`TextSink.status`): the host clears it around every other write to the
 * terminal. On `done` a successful run's bar is finished (100 %, its own
 * line); any other ending clears it, leaving the log's error and summary
 * lines, with no stale percentage above them.
 */
type StatusSink = TextSink & Required<Pick<TextSink, 'status' | 'clearStatus'>>

/** Hosts since the status-line extension of TextSink draw the bar themselves, around everything else they print. */
function hasStatusLine(sink: TextSink): sink is StatusSink {
  return typeof sink.status === 'function' && typeof sink.clearStatus === 'function'
}

class StatusBar implements Reporter {
  // someone is watching: ask rsync for progress even without --progress
  readonly wantsProgress = true
  readonly #tally = new RunTally()
  #live = false

  constructor(
    private readonly sink: StatusSink,
    private readonly clock: ConsoleClock,
  ) {}

  onEvent(event: CopyEvent): void {
    const now = this.clock.now()
    switch (event.type) {
      case 'attempt-start':
        this.#tally.attemptStart(event.attempt, now)
        this.#draw(now)
        break
      case 'progress':
        this.#tally.take(event)
        if (this.#live) this.#draw(now)
        break
      case 'attempt-end':
        this.#tally.attemptEnd(event.attempt)
        break
      case 'done':
        this.#finish(event, now)
        break
      default:
        break
    }
  }

  async flush(): Promise<void> {
    this.#clear()
  }

  #draw(now: number): void {
    const t = this.#tally
    this.sink.status(barLine({label: t.label, filesTransferred: t.filesTransferred, filesTotal: t.filesTotal, bytes: t.bytes, elapsedMs: t.elapsedMs(now)}))
    this.#live = true
  }

  #finish(done: Extract<CopyEvent, {type: 'done'}>, now: number): void {
    const t = this.#tally
    if (done.exitCode !== 0 || !t.started) {
      this.#clear()
      return
    }
    const total = Math.max(t.filesTotal, t.filesTransferred)
    const bytes = Math.max(done.bytes, t.bytes ?? 0)
    const runMs = t.runMs(now)
    const line = barLine(
      {label: '', filesTransferred: total, filesTotal: total, bytes, elapsedMs: runMs},
      `done in ${formatSeconds(Math.max(runMs, done.durationMs))}`,
    )
    this.sink.clearStatus()
    this.#live = false
    this.sink.write(`${line}\n`)
  }

  #clear(): void {
    if (!this.#live) return
    this.#live = false
    this.sink.clearStatus()
  }
}

/** cli-progress writes to a Node stream; this one forwards to the run's stderr sink. */
function streamOver(sink: TextSink): NodeJS.WritableStream {
  const stream = {
    isTTY: true,
    get columns() {
      return sink.columns ?? 80
    },
    write(text: string, ...rest: unknown[]) {
      sink.write(String(text))
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined
      callback?.()
      return true
    },
  }
  return stream as unknown as NodeJS.WritableStream
}

/**
 * For hosts whose stderr sink has no status line: cli-progress writing to
 * the terminal itself, one bar for the whole run like StatusBar (the host's
 * own writes may still land beside it).
 */
class TerminalBar implements Reporter {
  readonly wantsProgress = true
  readonly #tally = new RunTally()
  #bar: SingleBar | undefined

  constructor(
    private readonly bars: BarModule,
    private readonly stream: NodeJS.WritableStream,
    private readonly clock: ConsoleClock,
  ) {}

  onEvent(event: CopyEvent): void {
    const now = this.clock.now()
    switch (event.type) {
      case 'attempt-start':
        this.#tally.attemptStart(event.attempt, now)
        if (this.#bar === undefined) {
          this.#bar = new this.bars.SingleBar({
            stream: this.stream,
            format: '{label}[{bar}] {percentage}% | {value}/{total} files | {bytes} | {rate} | ETA {eta_formatted}',
            barsize: BAR_WIDTH,
            emptyOnZero: true,
            gracefulExit: false, // transporter owns the signal handlers
          })
          this.#bar.start(0, 0, this.#payload(now))
        } else this.#update(now)
        break
      case 'progress':
        this.#tally.take(event)
        this.#update(now)
        break
      case 'attempt-end':
        this.#tally.attemptEnd(event.attempt)
        break
      case 'done':
        if (event.exitCode === 0) {
          const total = Math.max(this.#tally.filesTotal, this.#tally.filesTransferred)
          this.#bar?.setTotal(total)
          this.#bar?.update(total, this.#payload(now))
        }
        this.#stop()
        break
      default:
        break
    }
  }

  async flush(): Promise<void> {
    this.#stop()
  }

  #update(now: number): void {
    this.#bar?.setTotal(this.#tally.filesTotal)
    this.#bar?.update(this.#tally.filesTransferred, this.#payload(now))
  }

  #stop(): void {
    // the final render and a newline, so later log lines start on their own line
    this.#bar?.stop()
    this.#bar = undefined
  }

  #payload(now: number): Record<string, string> {
    const t = this.#tally
    const rate = t.bytes === undefined ? undefined : rateOf(t.bytes, t.elapsedMs(now))
    return {
      label: t.label,
      bytes: t.bytes === undefined ? '-' : formatBytes(t.bytes),
      rate: rate === undefined ? '-' : formatRate(rate),
    }
  }
}

const silent: Reporter = {onEvent() {}}

/** Builds the console reporter; `clock` is for tests. */
export async function createConsoleReporter(env: FactoryEnv, clock: ConsoleClock = systemClock): Promise<Reporter> {
  const {quiet, json, progressBar, reportIntervalMs} = env.settings
  if (quiet || json) return silent
  if (!(env.stderr.isTTY && progressBar)) return new PlainLines(env.stderr, reportIntervalMs, clock)
  if (hasStatusLine(env.stderr)) return new StatusBar(env.stderr, clock)
  // loaded only for a terminal: plain runs (CI, containers) never pay for it
  const imported = (await import('cli-progress')) as BarModule & {default?: BarModule}
  return new TerminalBar(imported.default ?? imported, streamOver(env.stderr), clock)
}

export const consoleReporter: Factory<Reporter> = {
  description: 'shows progress on stderr: a live bar on a terminal, plain timestamped lines otherwise',
  create(options: unknown, env: FactoryEnv): Promise<Reporter> {
    optionBag("reporter 'console'", options, [])
    return createConsoleReporter(env)
  },
}
