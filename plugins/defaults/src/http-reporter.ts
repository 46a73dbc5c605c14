import {setTimeout as sleep} from 'node:timers/promises'
import type {CopyEvent, Factory, FactoryEnv, Reporter, RunSettings} from 'transporter/plugin-api'
import {errorReport, progressReport} from './report-payload.js'
import {intOption, optionBag} from './options.js'
import {ReportPoster} from './report-poster.js'

export interface HttpReporterOptions {
  /** per request */
  timeoutMs: number
  /** tries in all for the final progress report and the error report */
  retries: number
}

/** First retry waits this long, each next one twice as long. */
const BACKOFF_MS = 200

const COMPONENT = "reporter 'http'"

export function parseHttpOptions(options: unknown): HttpReporterOptions {
  const bag = optionBag(COMPONENT, options, ['timeoutMs', 'retries'])
  return {
    timeoutMs: intOption(COMPONENT, bag, 'timeoutMs', {fallback: 30_000, min: 1}),
    retries: intOption(COMPONENT, bag, 'retries', {fallback: 3, min: 1}),
  }
}

/** Resolves true when `promise` settled within `ms`; never keeps the process alive longer. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([promise.then(() => true as const), expired])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The Go tool's reports (spec §8): periodic progress while an attempt runs,
 * one final progress report, and one error report when the run fails — in
 * that order on the wire.
 */
class HttpReporter implements Reporter {
  readonly #settings: RunSettings
  readonly #retries: number
  readonly #poster: ReportPoster
  readonly #log: FactoryEnv['log']
  #timer: NodeJS.Timeout | undefined
  /** attempts running now: --parallel workers overlap, and one ending must not silence the others */
  readonly #running = new Set<number>()
  #current = 0
  #total = 0
  /** the progress POST in flight; at most one (later ticks are coalesced) */
  #inFlight: Promise<unknown> | undefined
  /** delivery of the final progress report and the error report */
  #final: Promise<void> | undefined

  constructor(url: string, options: HttpReporterOptions, env: FactoryEnv) {
    this.#settings = env.settings
    this.#retries = options.retries
    this.#log = env.log
    this.#poster = new ReportPoster({url, timeoutMs: options.timeoutMs, userAgent: `transporter/${env.version}`, env: env.env, log: env.log})
  }

  onEvent(event: CopyEvent): void {
    switch (event.type) {
      case 'attempt-start':
        if (this.#running.size === 0) {
          // counters are per attempt, as in the Go tool (with --parallel they are the workers' sum)
          this.#current = 0
          this.#total = 0
          this.#startTicks()
        }
        this.#running.add(event.attempt)
        break
      case 'progress':
        this.#current = event.filesTransferred
        this.#total = event.filesTotal
        break
      case 'attempt-end':
        this.#running.delete(event.attempt)
        if (this.#running.size === 0) this.#stopTicks()
        break
      case 'done':
        this.#stopTicks()
        this.#final ??= this.#finish(event.exitCode, event.stderrTail, event.reason)
        break
      default:
        break
    }
  }

  async flush(deadline: number): Promise<void> {
    this.#stopTicks()
    if (!this.#final) return
    if (await settledWithin(this.#final, deadline - Date.now())) return
    this.#poster.abortAll()
    this.#log.warn(`report delivery to ${this.#poster.shownUrl} abandoned at the exit deadline; the receiver may have missed the last reports`)
  }

  #startTicks(): void {
    this.#stopTicks()
    if (!this.#settings.progress) return
    this.#timer = setInterval(() => this.#tick(), this.#settings.reportIntervalMs)
    // reports must never keep a finished run alive
    this.#timer.unref()
  }

  #stopTicks(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }

  #tick(): void {
    if (this.#inFlight || this.#final) return
    this.#inFlight = this.#poster.post(progressReport(this.#current, this.#total)).finally(() => {
      this.#inFlight = undefined
    })
  }

  async #finish(exitCode: number, stderrTail: string, reason: string): Promise<void> {
    // a tick still on the wire goes first, so the final report really is last
    await this.#inFlight
    if (this.#settings.progress) await this.#deliver(progressReport(this.#current, this.#total))
    if (this.#settings.stderr && exitCode !== 0) await this.#deliver(errorReport(stderrTail, exitCode, reason))
  }

  async #deliver(body: string): Promise<void> {
    for (let attempt = 1; attempt <= this.#retries; attempt++) {
      if (await this.#poster.post(body)) return
      if (attempt === this.#retries || this.#poster.stopped.aborted) return
      try {
        await sleep(BACKOFF_MS * 2 ** (attempt - 1), undefined, {signal: this.#poster.stopped})
      } catch {
        return // aborted at the exit deadline
      }
    }
  }
}

const inactive: Reporter = {
  onEvent() {},
  async flush() {},
}

export const httpReporter: Factory<Reporter> = {
  description:
    "POSTs the Go tool's JSON reports to --report-addr: progress every --report-interval (--progress), a final progress report, and rsync's stderr on failure (--stderr)",
  create(options: unknown, env: FactoryEnv): Reporter {
    const parsed = parseHttpOptions(options)
    const {reportAddr, dryRun, progress, stderr} = env.settings
    if (!reportAddr || dryRun || (!progress && !stderr)) return inactive
    return new HttpReporter(reportAddr, parsed, env)
  },
}
