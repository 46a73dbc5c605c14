import {optionTypes} from '../core/config/copy-options.js'
import {parseGoBool} from './go-flags.js'

/**
 * Whether the user asked for --json, read from argv itself so that an error
 * in parsing that argv is rendered as JSON too. The last `-json`, `--json`,
 * `-json=<bool>` or `--no-json` before `--` wins (Go's flag rules; a
 * non-bool option's value is skipped, so `-src -json` is a path), then
 * TRANSPORTER_JSON with the same boolean parser as every other flag.
 */
export function jsonRequested(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const types = optionTypes()
  let json: boolean | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') break
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg)
    if (m === null) continue
    const [, name = '', inline] = m
    if (name === 'json') json = inline === undefined ? true : (parseGoBool(inline) ?? json)
    else if (name === 'no-json' && inline === undefined) json = false
    else if (inline === undefined && (types[name] === 'string' || types[name] === 'int' || types[name] === 'list')) i++
  }
  if (json !== undefined) return json
  const raw = env.TRANSPORTER_JSON
  return raw !== undefined && raw !== '' && parseGoBool(raw) === true
}
