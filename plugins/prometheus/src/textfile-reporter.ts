import {rename, unlink, writeFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import type {CopyEvent, Factory, FactoryEnv, Reporter} from 'transporter/plugin-api'
import {renderMetrics, type RunMetrics} from './metrics.js'

export interface TextfileOptions {
  /** the .prom file node_exporter's textfile collector reads; relative to the config file's directory */
  file: string
  /** extra labels on every sample (src and dest are always set) */
  labels: Record<string, string>
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const RESERVED = new Set(['src', 'dest'])

export function parseTextfileOptions(options: unknown, baseDir: string): TextfileOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error('options must be {file, labels?}')
  }
  const bag = options as Record<string, unknown>
  for (const key of Object.keys(bag)) {
    if (key !== 'file' && key !== 'labels') throw new Error(`unknown option "${key}" (expected file, labels)`)
  }
  if (typeof bag.file !== 'string' || bag.file.trim() === '') {
    throw new Error('option "file" is required: the .prom file for node_exporter\'s textfile collector')
  }
  const labels: Record<string, string> = {}
  if (bag.labels !== undefined) {
    if (typeof bag.labels !== 'object' || bag.labels === null || Array.isArray(bag.labels)) {
      throw new Error('option "labels" must be a mapping of label names to strings')
    }
    for (const [name, value] of Object.entries(bag.labels)) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`"${name}" is not a valid Prometheus label name`)
      if (RESERVED.has(name)) throw new Error(`label "${name}" is set by the reporter itself`)
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new Error(`label "${name}" must be a string`)
      }
      labels[name] = String(value)
    }
  }
  return {file: resolve(baseDir, bag.file), labels}
}

/**
 * Keeps a summary of the run and writes it as one textfile when the run is
 * done (and at flush, so an interrupted run still leaves its counters).
 * Writes go to `<file>.<pid>.tmp` and are renamed over the file, so
 * node_exporter never reads half a file.
 */
export class TextfileReporter implements Reporter {
  // No `wantsProgress`: the done event carries rsync's real counts without costing
  // rsync per-file output; progress events, when --progress brings them, only keep
  // an interrupted run's counters current.
  private src = ''
  private dest = ''
  private startedAt = Date.now()
  private metrics: RunMetrics = {filesTransferred: 0, filesTotal: 0, bytes: 0, attempts: 0, exitCode: undefined, durationSeconds: 0, endedAtSeconds: 0}
  private started = false
  private dirty = false
  private writing: Promise<void> = Promise.resolve()
  private warned = false

  constructor(
    private readonly options: TextfileOptions,
    private readonly env: Pick<FactoryEnv, 'log'>,
  ) {}

  onEvent(event: CopyEvent): void {
    const m = this.metrics
    switch (event.type) {
      case 'start':
        this.started = true
        this.startedAt = Date.now()
        this.src = event.src
        this.dest = event.dest
        break
      case 'attempt-start':
        m.attempts = Math.max(m.attempts, event.attempt)
        break
      case 'progress':
        m.filesTransferred = event.filesTransferred
        m.filesTotal = event.filesTotal
        if (event.bytes !== undefined) m.bytes = event.bytes
        break
      case 'done':
        Object.assign(m, {filesTransferred: event.filesTransferred, filesTotal: event.filesTotal, bytes: event.bytes, exitCode: event.exitCode})
        m.durationSeconds = event.durationMs / 1000
        this.dirty = true
        void this.write()
        return
      default:
        break
    }
    this.dirty = this.started
  }

  async flush(_deadline: number): Promise<void> {
    // Local file writes are quick; the deadline only matters for network reporters.
    if (this.dirty) void this.write()
    await this.writing
  }

  private write(): Promise<void> {
    this.dirty = false
    if (this.metrics.exitCode === undefined) this.metrics.durationSeconds = (Date.now() - this.startedAt) / 1000
    this.metrics.endedAtSeconds = Math.floor(Date.now() / 1000)
    const text = renderMetrics(this.metrics, {src: this.src, dest: this.dest, ...this.options.labels})
    // Serialised: two renames must not race and leave the older content in place.
    this.writing = this.writing.then(() => this.replaceFile(text))
    return this.writing
  }

  private async replaceFile(text: string): Promise<void> {
    const tmp = `${this.options.file}.${process.pid}.tmp`
    try {
      await writeFile(tmp, text)
      await rename(tmp, this.options.file)
    } catch (error) {
      await unlink(tmp).catch(() => {})
      if (!this.warned) this.env.log.warn(`prometheus/textfile: cannot write ${this.options.file}: ${(error as Error).message}`)
      this.warned = true
    }
  }
}

export const textfileReporter: Factory<Reporter> = {
  description: "writes the run's files, bytes, attempts, exit code and duration as node_exporter textfile-collector metrics",
  create(options, env) {
    return new TextfileReporter(parseTextfileOptions(options, env.baseDir), env)
  },
}
