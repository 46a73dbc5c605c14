import {closeSync, openSync, writeSync} from 'node:fs'
import {resolve} from 'node:path'
import type {CopyEvent, Factory, FactoryEnv, Logger, Reporter} from 'transporter/plugin-api'
import {rateOf} from './progress-format.js'
import {optionBag, stringOption} from './options.js'

interface LineSink {
  write(line: string): void
  close(): void
}

/** Each CopyEvent as one JSON line, with `time` (ISO 8601) and, for progress with bytes, `rate` (bytes/s). */
class NdjsonReporter implements Reporter {
  // a machine consumer of progress events: rsync is asked for progress output
  readonly wantsProgress = true
  #attemptStartedAt = Date.now()
  #closed = false

  constructor(
    private readonly sink: LineSink,
    private readonly log: Logger,
    private readonly target: string,
  ) {}

  onEvent(event: CopyEvent): void {
    if (this.#closed) return
    const now = Date.now()
    if (event.type === 'attempt-start') this.#attemptStartedAt = now
    const record: Record<string, unknown> = {time: new Date(now).toISOString(), ...event}
    if (event.type === 'progress' && event.bytes !== undefined) {
      record.rate = rateOf(event.bytes, now - this.#attemptStartedAt) ?? 0
    }
    try {
      this.sink.write(`${JSON.stringify(record)}\n`)
    } catch (err) {
      // one message, then silence: a full disk must not flood stderr
      this.#closed = true
      this.log.warn(`ndjson reporter: cannot write to ${this.target}: ${(err as Error).message}; no further events are written`)
    }
  }

  async flush(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.sink.close()
  }
}

function fileSink(path: string): LineSink {
  let fd: number
  try {
    fd = openSync(path, 'a')
  } catch (err) {
    throw new Error(`ndjson reporter: cannot open "${path}" for appending: ${(err as Error).message}`)
  }
  return {write: (line) => void writeSync(fd, line), close: () => closeSync(fd)}
}

const silent: Reporter = {onEvent() {}}

export const ndjsonReporter: Factory<Reporter> = {
  description: 'writes every copy event as one JSON line (with time) to stdout, or appends them to the file given by the `file` option',
  create(options: unknown, env: FactoryEnv): Reporter {
    const component = "reporter 'ndjson'"
    const file = stringOption(component, optionBag(component, options, ['file']), 'file')
    if (file !== undefined) {
      const path = resolve(env.baseDir, file)
      return new NdjsonReporter(fileSink(path), env.log, path)
    }
    if (env.settings.json) {
      env.log.warn("ndjson reporter: stdout is reserved for the --json result, so events are not written; set the reporter's `file` option to keep them")
      return silent
    }
    return new NdjsonReporter({write: (line) => env.stdout.write(line), close() {}}, env.log, 'stdout')
  },
}
