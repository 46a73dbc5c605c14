import {redactText} from '../core/secrets/redact.js'
import {isBroken} from './broken-pipe.js'
import type {Logger, TextSink} from '../plugin-api.js'

export type Level = 'debug' | 'info' | 'warn' | 'error'

const RANK: Readonly<Record<Level, number>> = {error: 0, warn: 1, info: 2, debug: 3}

/** Timestamped log lines on stderr, one event per line, up to `level`; stdout stays for --json. */
export function createLogger(sink: Pick<TextSink, 'write'>, options: {level: Level}): Logger {
  const line = (level: Level) => (message: string) => {
    if (RANK[level] > RANK[options.level]) return
    const text = redactText(message.replaceAll('\n', ' | '))
    sink.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${text}\n`)
  }
  return {debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error')}
}

/** What plugins write to (the TTY bar, ndjson): redacted like every log line. */
export function streamSink(stream: NodeJS.WriteStream): TextSink {
  return {
    write: (text: string) => {
      if (!isBroken(stream)) stream.write(redactText(text))
    },
    get isTTY() {
      return stream.isTTY === true
    },
    get columns() {
      return stream.columns
    },
  }
}
