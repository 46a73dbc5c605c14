import {redactText} from '../core/secrets/redact.js'
import type {TextSink} from '../plugin-api.js'

/** Carriage return, then erase to the end of the line: the cursor is back at the start of an empty line. */
export const CLEAR_LINE = '\r\x1b[K'

/** What the owner writes to: process.stderr, or a test's stand-in. */
export interface StatusStream {
  write(chunk: string | Uint8Array): boolean
  readonly isTTY?: boolean
  readonly columns?: number
}

/**
 * The one owner of the terminal's last line (spec §8.4): a live status line
 * (the progress bar) that every other write to the terminal goes around.
 * Before any text it clears the status line, after the text it draws it
 * again, in the same write, so a log line, rsync's stderr or a plugin's
 * output never leaves a stale bar above it and the bar never lands in the
 * middle of someone else's line. On a stream that is not a terminal the
 * status line does not exist and text passes through unchanged.
 */
export class StatusLine {
  /** the status as it should be on screen ('' = none) */
  #line = ''
  /** the status is on screen now */
  #shown = false
  /** the last text ended without a newline: the cursor is inside someone else's line, the status waits */
  #midLine = false

  constructor(private readonly stream: StatusStream) {}

  get enabled(): boolean {
    return this.stream.isTTY === true
  }

  /** Draws `line` as the live last line, replacing the one before; one line, cut to the terminal's width. */
  status(line: string): void {
    if (!this.enabled) return
    this.#line = fit(line, this.stream.columns)
    // drawn once the pending line ends, never inside it
    if (this.#midLine) return
    if (this.#line === '') {
      this.clearStatus()
      return
    }
    this.stream.write(CLEAR_LINE + this.#line)
    this.#shown = true
  }

  /** Removes the live line; the cursor is left at the start of the (now empty) line. */
  clearStatus(): void {
    this.#line = ''
    if (!this.#shown) return
    this.#shown = false
    this.stream.write(CLEAR_LINE)
  }

  /** Writes `chunk` above the live line: clear, text, status again. Returns what the stream's write returned (backpressure). */
  write(chunk: string | Uint8Array): boolean {
    if (!this.enabled) return this.stream.write(chunk)
    if (chunk.length === 0) return true
    const endsLine = lastByte(chunk) === 0x0a
    const before = this.#shown ? CLEAR_LINE : ''
    this.#midLine = !endsLine
    this.#shown = endsLine && this.#line !== ''
    const after = this.#shown ? this.#line : ''
    if (typeof chunk === 'string') return this.stream.write(before + chunk + after)
    return this.stream.write(before === '' && after === '' ? chunk : Buffer.concat([Buffer.from(before), chunk, Buffer.from(after)]))
  }

  /** Runs `write` (text to another stream on the same terminal, e.g. stdout) with the status line out of its way. */
  around(write: () => void): void {
    if (!this.#shown) {
      write()
      return
    }
    this.stream.write(CLEAR_LINE)
    this.#shown = false
    write()
    if (this.#line !== '' && !this.#midLine) {
      this.stream.write(this.#line)
      this.#shown = true
    }
  }
}

function lastByte(chunk: string | Uint8Array): number {
  return typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1]!
}

/**
 * One line that fits: no newline or carriage return (either would break the
 * clear-and-redraw), and one column short of the width so that the terminal
 * never wraps it (a wrapped line cannot be cleared with `\r`).
 */
function fit(line: string, columns: number | undefined): string {
  const flat = line.replace(/[\r\n]+/g, ' ')
  const width = Math.max(1, (columns && columns > 0 ? columns : 80) - 1)
  const chars = Array.from(flat)
  return chars.length <= width ? flat : chars.slice(0, width).join('')
}

/** The terminal as the copy command sees it: the sinks plugins get, rsync's stderr echo and a last-resort clear. */
export interface Terminal {
  stdout: TextSink
  stderr: Required<TextSink>
  /** rsync's stderr, bytes as they came, around the status line; false = wait for 'drain' */
  echo(chunk: Uint8Array): boolean
  /** clears a status line that is still live (every exit path) */
  clear(): void
}

/**
 * The copy command's sinks over one status line. Text plugins and the logger
 * write is redacted (spec §8.3); rsync's echoed stderr passes as bytes. When
 * stdout is the same kind of terminal, its writes go around the status line
 * too (ndjson on stdout next to the bar on stderr).
 */
export function terminalSinks(stdout: StatusStream, stderr: StatusStream): Terminal {
  const owner = new StatusLine(stderr)
  const stderrSink: Required<TextSink> = {
    write: (text: string) => {
      owner.write(redactText(text))
    },
    status: (line: string) => owner.status(redactText(line)),
    clearStatus: () => owner.clearStatus(),
    get isTTY() {
      return stderr.isTTY === true
    },
    get columns() {
      return stderr.columns
    },
  }
  const stdoutSink: TextSink = {
    write: (text: string) => {
      const redacted = redactText(text)
      if (stdout.isTTY === true) owner.around(() => stdout.write(redacted))
      else stdout.write(redacted)
    },
    get isTTY() {
      return stdout.isTTY === true
    },
    get columns() {
      return stdout.columns
    },
  }
  return {stdout: stdoutSink, stderr: stderrSink, echo: (chunk) => owner.write(chunk), clear: () => owner.clearStatus()}
}
