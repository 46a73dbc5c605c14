import type {FactoryEnv, Logger, RunSettings, TextSink} from '../../src/plugin-api.js'

/** A text sink that keeps what is written, for assertions. */
export interface MemorySink extends TextSink {
  text: string
}

export function memorySink(isTTY = false): MemorySink {
  const sink = {
    text: '',
    isTTY,
    columns: 80,
    write(text: string) {
      sink.text += text
    },
  }
  return sink
}

export interface TestEnv extends FactoryEnv {
  stdout: MemorySink
  stderr: MemorySink
  /** every logged line as `level message` */
  logged: string[]
}

/**
 * A FactoryEnv like the one copy builds, without a terminal or a report
 * address unless `settings` says so.
 */
export function testFactoryEnv(overrides: {baseDir?: string; settings?: Partial<RunSettings>; env?: Record<string, string | undefined>} = {}): TestEnv {
  const logged: string[] = []
  const line = (level: string) => (message: string) => void logged.push(`${level} ${message}`)
  const log: Logger = {debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error')}
  return {
    apiVersion: 1,
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
    stderr: memorySink(),
    env: overrides.env ?? {},
    logged,
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
