import {usageError} from '../core/codes/errors.js'

/** A decimal exit code as typed by a user (`23`, `-1`, `+5`); anything else is a usage error. */
export function parseCode(text: string, what: string, hint: string): number {
  const t = text.trim()
  if (!/^[+-]?\d{1,6}$/.test(t)) throw usageError(`${what} must be an integer, got ${JSON.stringify(text)}`, hint)
  return Number(t)
}
