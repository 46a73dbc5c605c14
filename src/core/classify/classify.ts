/**
 * rsync exit code + stderr → class and transporter exit code (spec §6).
 * The engine knows no codes itself: everything comes from the rules, so
 * config and plugins can override any decision.
 */
import type {ClassifyRule, CopyClass} from '../../plugin-api.js'
import {DEFAULT_RULE, SEED_RULES} from './rules.js'
import {findErrnos} from './stderr-errno.js'

export interface ClassifyInput {
  code: number
  signal?: string | undefined
  stderr: string
}

export interface Classification {
  class: CopyClass
  exitCode: number
  retryable: boolean
  errno?: number | undefined
  rule: string
  description: string
  /** the stderr line the deciding errno was read from */
  line?: string | undefined
}

const RETRYABLE: ReadonlySet<CopyClass> = new Set(['partial', 'vanished', 'retryable'])
const STOPS: ReadonlySet<CopyClass> = new Set(['fatal', 'usage'])

export function isRetryableClass(cls: CopyClass): boolean {
  return RETRYABLE.has(cls)
}

function killed(input: ClassifyInput): boolean {
  return input.signal !== undefined || input.code === -1
}

function appliesTo(rule: ClassifyRule, input: ClassifyInput): boolean {
  if (rule.signal === true && !killed(input)) return false
  if (rule.signal === false && killed(input)) return false
  return rule.codes === undefined || rule.codes.includes(input.code)
}

const isErrnoRule = (rule: ClassifyRule): boolean => rule.errnos !== undefined && rule.errnos.length > 0

function result(rule: ClassifyRule, errno?: number, line?: string): Classification {
  return {
    class: rule.class,
    exitCode: rule.exitCode,
    retryable: isRetryableClass(rule.class),
    errno,
    rule: rule.id,
    description: rule.description ?? rule.id,
    line,
  }
}

interface Candidate {
  rule: ClassifyRule
  errno: number
  line: string
}

/** Among errno candidates: the most severe fatal one, else the last line's. */
function pick(candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined
  for (const c of candidates) {
    if (!STOPS.has(c.rule.class)) continue
    if (best === undefined || (c.rule.severity ?? 0) >= (best.rule.severity ?? 0)) best = c
  }
  return best ?? candidates.at(-1)
}

export function classify(input: ClassifyInput, rules: readonly ClassifyRule[] = SEED_RULES): Classification {
  let base: ClassifyRule = DEFAULT_RULE
  for (const rule of rules) if (!isErrnoRule(rule) && appliesTo(rule, input)) base = rule
  // A success stays a success whatever rsync printed on the way.
  if (base.class === 'ok') return result(base)

  const errnoRules = rules.filter((r) => isErrnoRule(r) && appliesTo(r, input))
  if (errnoRules.length === 0) return result(base)
  const candidates: Candidate[] = []
  for (const {errno, line} of findErrnos(input.stderr)) {
    const rule = errnoRules.findLast((r) => r.errnos?.includes(errno))
    if (rule !== undefined) candidates.push({rule, errno, line})
  }
  const chosen = pick(candidates)
  return chosen === undefined ? result(base) : result(chosen.rule, chosen.errno, chosen.line)
}
