/**
 * The one renderer: whatever ends a command — a Go-style or oclif parse
 * error, a config, plugin or mount error, a finished run — becomes one line
 * and a hint on stderr, or under --json one object of the outcome shape on
 * stdout (spec §8.4). Never a stack trace unless TRANSPORTER_DEBUG=1, never a
 * secret (every text goes through the redaction).
 */
import {ERROR_KINDS, isTransporterError, type ErrorCode} from '../core/codes/errors.js'
import type {CopyOutcome} from '../core/run/outcome.js'
import {redactText} from '../core/secrets/redact.js'

export interface UserError {
  code: ErrorCode
  class: string
  message: string
  hint?: string | undefined
  exitCode: number
  /** kept for TRANSPORTER_DEBUG=1 */
  stack?: string | undefined
}

export interface RenderContext {
  /** the error came from oclif's argument/flag parser */
  parsing: boolean
  /** command id for the hint (`classify`) */
  commandId?: string | undefined
}

function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '')
  return line ?? 'unknown error'
}

// oclif parser messages are multi-line ("Nonexistent flag: --x\nSee more help with --help",
// "Parsing --n \n\tExpected an integer but received: x"); keep what identifies the problem.
function parseMessage(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help with/i.test(l))
  const [head, next] = lines
  if (head === undefined) return 'invalid arguments'
  if (next === undefined) return head
  if (/^The following errors? occurred:$/i.test(head)) return next
  // "Missing 1 required arg:\ncode  <description…>": the name is enough.
  if (head.endsWith(':')) return `${head} ${next.split(/\s{2,}/)[0] ?? next}`
  return `${head.replace(/\s+$/, '')}: ${next}`
}

export function toUserError(err: unknown, ctx: RenderContext): UserError {
  const stack = err instanceof Error ? err.stack : undefined
  if (isTransporterError(err)) {
    return {code: err.code, class: ERROR_KINDS[err.kind].class, message: firstLine(err.message), hint: err.hint, exitCode: err.exitCode, stack}
  }
  const message = err instanceof Error ? err.message : String(err)
  if (ctx.parsing) return usage(parseMessage(message), ctx.commandId, stack)
  const internal = ERROR_KINDS.internal
  const code = (err as {code?: unknown} | undefined)?.code
  if (code === 'EMFILE' || code === 'ENFILE') {
    const hint = 'the process ran out of file descriptors: raise `ulimit -n` (transporter needs about 100, plus 4 for each --parallel worker)'
    return {code: internal.code, class: internal.class, message: firstLine(message), hint, exitCode: internal.exitCode, stack}
  }
  return {
    code: internal.code,
    class: internal.class,
    message: firstLine(message),
    hint: 'This is a bug in transporter or a plugin; set TRANSPORTER_DEBUG=1 to see where it happened.',
    exitCode: internal.exitCode,
    stack,
  }
}

/** A usage error found by a parser (oclif's or the legacy Go-style one). */
export function usage(message: string, commandId: string | undefined, stack?: string): UserError {
  const help = commandId === undefined ? 'transporter --help' : `transporter ${commandId} --help`
  const kind = ERROR_KINDS.usage
  return {code: kind.code, class: kind.class, message, hint: `See \`${help}\` for usage.`, exitCode: kind.exitCode, stack}
}

export interface Rendered {
  stdout: string
  stderr: string
  exitCode: number
}

/** What a failure prints: text on stderr, or the outcome object on stdout under --json. */
export function renderFailure(e: UserError, options: {json: boolean; config?: string | null | undefined; debug?: boolean}): Rendered {
  const trace = options.debug === true && e.stack !== undefined ? `${e.stack}\n` : ''
  if (options.json) return {stdout: jsonLine(failureObject(e, options.config ?? null)), stderr: redactText(trace), exitCode: e.exitCode}
  const text = `Error: ${e.message}\n${e.hint === undefined ? '' : `Hint: ${e.hint}\n`}${trace}`
  return {stdout: '', stderr: redactText(text), exitCode: e.exitCode}
}

/** One JSON document on a line, redacted: the only thing --json puts on stdout. */
export function jsonLine(value: unknown): string {
  return redactText(`${JSON.stringify(value)}\n`)
}

/**
 * The outcome shape of spec §8.4, for a run that ended (copied, failed,
 * interrupted): every field always present, `error` when it did not succeed.
 */
export function outcomeObject(o: CopyOutcome, config: string | null): Record<string, unknown> {
  return {
    exitCode: o.exitCode,
    class: o.class,
    reason: o.reason,
    ...(o.error === undefined ? {} : {error: o.error}),
    attempts: o.attempts.map((a) => ({
      attempt: a.attempt,
      code: a.code,
      reason: a.reason,
      class: a.class,
      durationMs: a.durationMs,
      filesTransferred: a.filesTransferred,
      bytes: a.bytes,
    })),
    filesTransferred: o.filesTransferred,
    filesTotal: o.filesTotal,
    bytes: o.bytes,
    durationMs: o.durationMs,
    stderrTail: o.stderrTail,
    ...(o.mismatches === undefined ? {} : {mismatches: o.mismatches}),
    ...(o.extras === undefined ? {} : {extras: o.extras}),
    ...(o.mismatchSample === undefined ? {} : {mismatchSample: o.mismatchSample}),
    warnings: o.warnings,
    config,
  }
}

/** The same shape for a failure before rsync started: nothing attempted, nothing copied. */
export function failureObject(e: UserError, config: string | null): Record<string, unknown> {
  return {
    exitCode: e.exitCode,
    class: e.class,
    reason: '',
    error: {code: e.code, message: e.message, hint: e.hint ?? null},
    attempts: [],
    filesTransferred: 0,
    filesTotal: 0,
    bytes: 0,
    durationMs: 0,
    stderrTail: '',
    warnings: [],
    config,
  }
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TRANSPORTER_DEBUG === '1' || env.TRANSPORTER_DEBUG === 'true'
}
