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

/** A live one-line bar on a terminal: files, bytes, rate, ETA; a new bar per attempt. */
class TerminalBar implements Reporter {
  // someone is watching: ask rsync for progress even without --progress
  readonly wantsProgress = true
  readonly #state = new AttemptState()
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
        this.#stop()
        this.#state.begin(event.attempt, now)
        this.#bar = new this.bars.SingleBar({
          stream: this.stream,
          format: '{label}[{bar}] {percentage}% | {value}/{total} files | {bytes} | {rate} | ETA {eta_formatted}',
          barsize: 24,
          emptyOnZero: true,
          gracefulExit: false, // transporter owns the signal handlers
        })
        this.#bar.start(0, 0, this.#payload(now))
        break
      case 'progress':
        this.#state.take(event)
        this.#bar?.setTotal(event.filesTotal)
        this.#bar?.update(event.filesTransferred, this.#payload(now))
        break
      case 'attempt-end':
        if (event.code === 0) this.#complete(now)
        this.#stop()
        break
      case 'done':
        if (event.exitCode === 0) this.#complete(now)
        this.#stop()
        break
      default:
        break
    }
  }

  async flush(): Promise<void> {
    this.#stop()
  }

  #complete(now: number): void {
    const total = Math.max(this.#state.filesTotal, this.#state.filesTransferred)
    this.#bar?.setTotal(total)
    this.#bar?.update(total, this.#payload(now))
  }

  #stop(): void {
    // the final render and a newline, so later log lines start on their own line
    this.#bar?.stop()
    this.#bar = undefined
  }

  #payload(now: number): Record<string, string> {
    const p = this.#state.snapshot(now)
    const rate = p.bytes === undefined ? undefined : rateOf(p.bytes, p.elapsedMs)
    return {
      label: p.attempt > 1 ? `attempt ${p.attempt} ` : '',
      bytes: p.bytes === undefined ? '-' : formatBytes(p.bytes),
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
