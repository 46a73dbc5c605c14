import {redactText} from '../core/secrets/redact.js'
import type {Logger, TextSink} from '../plugin-api.js'

export type Level = 'debug' | 'info' | 'warn' | 'error'

/** Timestamped log lines on stderr, one event per line; stdout stays for --json. */
export function createLogger(sink: Pick<TextSink, 'write'>, options: {quiet: boolean; debug: boolean}): Logger {
  const line = (level: Level) => (message: string) => {
    if (level === 'debug' && !options.debug) return
    if (options.quiet && (level === 'info' || level === 'debug')) return
    const text = redactText(message.replaceAll('\n', ' | '))
    sink.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${text}\n`)
  }
  return {debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error')}
}

/** What plugins write to (the TTY bar, ndjson): redacted like every log line. */
export function streamSink(stream: NodeJS.WriteStream): TextSink {
  return {
    write: (text: string) => {
      stream.write(redactText(text))
    },
    get isTTY() {
      return stream.isTTY === true
    },
    get columns() {
      return stream.columns
    },
  }
}
