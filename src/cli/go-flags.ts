/**
 * Go `flag` package semantics for the legacy invocation (spec §1.1): the old
 * binary's scripts pass `-name v`, `-name=v`, `--name`, bools as `-b` or
 * `-b=false`, ints in Go's bases. The result is canonical `--name=value`
 * argv that oclif parses. Kept free of imports: bin/run.js loads it on every
 * start.
 */
import type {OptionType} from '../core/config/copy-options.js'

export type GoFlagType = OptionType

export class GoFlagError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GoFlagError'
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/** strconv.ParseBool */
export function parseGoBool(value: string): boolean | undefined {
  if (TRUE.has(value)) return true
  if (FALSE.has(value)) return false
  return undefined
}

/** strconv.ParseInt(s, 0, 64): decimal, 0x.., 0o.., 0b.., leading-0 octal, optional sign, Go's underscores. */
export function parseGoInt(value: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(value)
  if (!m) return undefined
  const [, sign, body = ''] = m
  // Go allows `_` only between digits or right after a base prefix.
  if (body.includes('_') && (body.includes('__') || body.endsWith('_'))) return undefined
  const digits = body.replaceAll('_', '')
  let n: number
  if (/^0[xX]/.test(digits)) n = Number.parseInt(digits.slice(2), 16)
  else if (/^0[bB]/.test(digits)) n = Number.parseInt(digits.slice(2), 2)
  else if (/^0[oO]/.test(digits)) n = Number.parseInt(digits.slice(2), 8)
  else if (digits.length > 1 && digits.startsWith('0')) n = Number.parseInt(digits.slice(1), 8)
  else n = Number.parseInt(digits, 10)
  if (!Number.isSafeInteger(n)) return undefined
  return sign === '-' ? -n : n
}

/**
 * Parses Go-style flags and returns canonical argv (`--name=value`,
 * `--name` / `--no-name` for bools). Throws GoFlagError for what Go's flag
 * package rejected (and for leftover arguments, which Go silently ignored).
 */
export function goFlagsToArgv(args: readonly string[], spec: Readonly<Record<string, GoFlagType>>, aliases: Readonly<Record<string, string>> = {}): string[] {
  // Go's flag package lets a repeated flag overwrite the earlier value; oclif
  // refuses repeats, so only the last occurrence of each flag is passed on.
  const out = new Map<string, string>()
  // a repeatable option keeps every value, in the order given (rsync filter rules depend on it)
  const repeated: string[] = []
  let i = 0
  while (i < args.length) {
    const arg = args[i]!
    if (arg.length < 2 || arg[0] !== '-') break // first non-flag argument ends parsing
    let body = arg.slice(1)
    if (body[0] === '-') {
      body = body.slice(1)
      if (body.length === 0) {
        i++ // `--` ends parsing and is consumed
        break
      }
    }
    if (body.length === 0 || body[0] === '-' || body[0] === '=') throw new GoFlagError(`bad flag syntax: ${arg}`)
    i++
    const eq = body.indexOf('=')
    const typed = eq === -1 ? body : body.slice(0, eq)
    const name = aliases[typed] ?? typed
    const inline = eq === -1 ? undefined : body.slice(eq + 1)
    if (name === 'h' || name === 'help') {
      return ['--help']
    }
    // `--no-progress-bar` and friends: the oclif spelling of a false bool.
    if (!spec[name] && name.startsWith('no-') && spec[name.slice(3)] === 'bool' && inline === undefined) {
      out.set(name.slice(3), `--${name}`)
      continue
    }
    const type = spec[name]
    if (!type) throw new GoFlagError(`flag provided but not defined: -${name}`)
    if (type === 'bool') {
      if (inline === undefined) {
        out.set(name, `--${name}`)
        continue
      }
      const value = parseGoBool(inline)
      if (value === undefined) throw new GoFlagError(`invalid boolean value ${JSON.stringify(inline)} for -${name}: parse error`)
      out.set(name, value ? `--${name}` : `--no-${name}`)
      continue
    }
    let value = inline
    if (value === undefined) {
      if (i >= args.length) throw new GoFlagError(`flag needs an argument: -${name}`)
      value = args[i++]!
    }
    if (type === 'int') {
      const n = parseGoInt(value)
      if (n === undefined) throw new GoFlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: parse error`)
      value = String(n)
    }
    if (type === 'list') repeated.push(`--${name}=${value}`)
    else out.set(name, `--${name}=${value}`)
  }
  if (i < args.length) {
    throw new GoFlagError(`unexpected argument ${JSON.stringify(args[i])}: flags must come before any other argument, and copy takes no arguments`)
  }
  return [...out.values(), ...repeated]
}
