/**
 * Turns anything a command throws into what the user sees: one line, a hint,
 * an exit code. Never a stack trace unless TRANSPORTER_DEBUG=1.
 */
import {isTransporterError} from '../core/codes/errors.js'
import {redactText} from '../core/secrets/redact.js'

export interface UserError {
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
  const line = text.split('\n').map(l => l.trim()).find(l => l !== '')
  return line ?? 'unknown error'
}

// oclif parser messages are multi-line ("Nonexistent flag: --x\nSee more help with --help",
// "Parsing --n \n\tExpected an integer but received: x"); keep what identifies the problem.
function parseMessage(text: string): string {
  const lines = text.split('\n').map(l => l.trim()).filter(l => l !== '' && !/^See more help with/i.test(l))
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
  if (isTransporterError(err)) return {message: firstLine(err.message), hint: err.hint, exitCode: err.exitCode, stack}
  const message = err instanceof Error ? err.message : String(err)
  if (ctx.parsing) {
    const help = ctx.commandId === undefined ? 'transporter --help' : `transporter ${ctx.commandId} --help`
    return {message: parseMessage(message), hint: `See \`${help}\` for usage.`, exitCode: 22, stack}
  }
  return {
    message: firstLine(message),
    hint: 'This is a bug in transporter or a plugin; set TRANSPORTER_DEBUG=1 to see where it happened.',
    exitCode: 255,
    stack,
  }
}

export function renderText(e: UserError): string {
  return redactText(`Error: ${e.message}\n${e.hint === undefined ? '' : `Hint: ${e.hint}\n`}`)
}

export function renderJson(e: UserError): string {
  return redactText(`${JSON.stringify({error: {message: e.message, hint: e.hint ?? null, exitCode: e.exitCode}})}\n`)
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TRANSPORTER_DEBUG === '1' || env.TRANSPORTER_DEBUG === 'true'
}
