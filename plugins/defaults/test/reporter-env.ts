import type {FactoryEnv, Logger, RunSettings, TextSink} from 'transporter/plugin-api'
import {afterEach} from 'vitest'
import {type CaptureOptions, type CaptureServer, startCaptureServer} from '../../../test/helpers/capture-server.js'

/** A Logger that keeps its lines, prefixed with the level. */
export interface RecordingLogger extends Logger {
  lines: string[]
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = []
  const at = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`)
  }
  return {lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error')}
}

/** A TextSink that keeps what was written. */
export interface RecordingSink extends TextSink {
  text: string
}

export function recordingSink(isTTY = false, columns?: number): RecordingSink {
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

export interface TestEnv extends FactoryEnv {
  log: RecordingLogger
  stdout: RecordingSink
  stderr: RecordingSink
}

export function testEnv(
  settings: Partial<RunSettings> = {},
  extra: {baseDir?: string; env?: Record<string, string | undefined>; stderrTTY?: boolean} = {},
): TestEnv {
  return {
    apiVersion: 1,
    baseDir: extra.baseDir ?? process.cwd(),
    settings: {
      src: '/src/',
      dest: '/dest',
      reportIntervalMs: 5000,
      progress: false,
      stderr: false,
      quiet: false,
      json: false,
      dryRun: false,
      progressBar: true,
      ...settings,
    },
    log: recordingLogger(),
    stdout: recordingSink(),
    stderr: recordingSink(extra.stderrTTY ?? false, 80),
    env: extra.env ?? {},
  }
}

/** Polls until `check` holds; fails the test after `limitMs` instead of hanging. */
export async function waitFor(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Capture servers for one test file, all closed after each test. */
export function captureServers(): (options?: CaptureOptions) => Promise<CaptureServer> {
  const open: CaptureServer[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (options = {}) => {
    const s = await startCaptureServer(options)
    open.push(s)
    return s
  }
}
