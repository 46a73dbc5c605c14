import type {FactoryEnv, Logger, RunSettings, TextSink} from '../plugin-api.js'

/** A text sink that keeps what is written, for assertions. */
export interface MemorySink extends TextSink {
  text: string
}

export function memorySink(isTTY = false, columns = 80): MemorySink {
  const sink = {
    text: '',
    isTTY,
    columns,
    write(text: string) {
      sink.text += text
    },
  }
  return sink
}

/** A terminal's stderr sink with the host's status line (`TextSink.status`): what is written, and the live line apart. */
export interface StatusMemorySink extends MemorySink {
  status(line: string): void
  clearStatus(): void
  /** the live line now ('' when there is none) */
  statusLine: string
  /** every status line drawn, in order */
  statusHistory: string[]
}

export function statusMemorySink(columns = 80): StatusMemorySink {
  const sink: StatusMemorySink = {
    text: '',
    isTTY: true,
    columns,
    statusLine: '',
    statusHistory: [],
    write(text: string) {
      sink.text += text
    },
    status(line: string) {
      sink.statusLine = line
      sink.statusHistory.push(line)
    },
    clearStatus() {
      sink.statusLine = ''
    },
  }
  return sink
}

/** A Logger that keeps every line as `level message`. */
export interface MemoryLogger extends Logger {
  lines: string[]
}

export function memoryLogger(): MemoryLogger {
  const lines: string[] = []
  const line = (level: string) => (message: string) => void lines.push(`${level} ${message}`)
  return {lines, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error')}
}

export interface TestEnv extends FactoryEnv {
  log: MemoryLogger
  stdout: MemorySink
  stderr: MemorySink
  /** every logged line as `level message` (the same array as `log.lines`) */
  logged: string[]
}

export interface TestEnvOverrides {
  baseDir?: string
  settings?: Partial<RunSettings>
  env?: Record<string, string | undefined>
  /** stderr claims to be a terminal (80 columns) */
  stderrTTY?: boolean
  /** stderr is a terminal whose host offers a status line (`TextSink.status`); implies stderrTTY */
  stderrStatus?: boolean
}

/**
 * A FactoryEnv like the one copy builds, without a terminal or a report
 * address unless the overrides say so.
 */
export function testFactoryEnv(overrides: TestEnvOverrides = {}): TestEnv {
  const log = memoryLogger()
  return {
    apiVersion: 1,
    version: '0.0.0-test',
    baseDir: overrides.baseDir ?? process.cwd(),
    settings: {
      src: '/conformance/src/',
      dest: '/conformance/dest',
      reportIntervalMs: 5000,
      progress: false,
      stderr: false,
      quiet: false,
      json: false,
      dryRun: false,
      progressBar: false,
      ...overrides.settings,
    },
    log,
    stdout: memorySink(),
    stderr: overrides.stderrStatus === true ? statusMemorySink() : memorySink(overrides.stderrTTY ?? false),
    env: overrides.env ?? {},
    logged: log.lines,
  }
}

/** Resolves with the value, or rejects when `promise` is not settled `ms` after `deadline`. */
export async function byDeadline<T>(promise: Promise<T>, deadline: number, graceMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was still pending ${graceMs} ms after its deadline`)), Math.max(0, deadline - Date.now()) + graceMs)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
