/**
 * The data `explain-exit` prints, built from the exit-code tables and the same
 * SEED_RULES the copy uses, so the explanation can never drift from behaviour.
 */
import {classify} from '../core/classify/classify.js'
import {ERROR_KINDS} from '../core/codes/errors.js'
import {SEED_RULES} from '../core/classify/rules.js'
import {errnoName} from '../core/classify/stderr-errno.js'
import {explainExitCode, type ExitCodeInfo} from '../core/codes/exit-codes.js'
import {RSYNC_CODES, rsyncCode} from '../core/codes/rsync-codes.js'
import type {ClassifyRule, CopyClass} from '../plugin-api.js'

export interface Refinement {
  errno: number
  errnoName: string | undefined
  class: CopyClass
  retried: boolean
  exitCode: number
  exitName: string | undefined
  rule: string
}

export interface RsyncExplanation {
  code: number
  name: string
  meaning: string
  class: CopyClass
  retried: boolean
  exitCode: number
  exitName: string | undefined
  rule: string
  description: string
  refinements: Refinement[]
}

const exitName = (code: number): string | undefined => explainExitCode(code)?.name

function refinements(code: number, rules: readonly ClassifyRule[]): Refinement[] {
  const seen = new Set<number>()
  const out: Refinement[] = []
  for (const rule of rules) {
    if (rule.errnos === undefined || (rule.codes !== undefined && !rule.codes.includes(code))) continue
    for (const errno of rule.errnos) {
      if (seen.has(errno)) continue
      seen.add(errno)
      // Ask the engine rather than read the rule: a later rule may override it.
      const c = classify({code, stderr: `rsync: [receiver] op "x" failed: text (${errno})`}, rules)
      if (c.errno !== errno) continue
      out.push({
        errno,
        errnoName: errnoName(errno),
        class: c.class,
        retried: c.retryable,
        exitCode: c.exitCode,
        exitName: exitName(c.exitCode),
        rule: c.rule,
      })
    }
  }
  return out
}

export function explainRsync(code: number, rules: readonly ClassifyRule[] = SEED_RULES): RsyncExplanation | undefined {
  const info = rsyncCode(code)
  if (info === undefined) return undefined
  const c = classify({code, stderr: ''}, rules)
  return {
    ...info,
    class: c.class,
    retried: c.retryable,
    exitCode: c.exitCode,
    exitName: exitName(c.exitCode),
    rule: c.rule,
    description: c.description,
    refinements: refinements(code, rules),
  }
}

export function allRsync(): RsyncExplanation[] {
  return RSYNC_CODES.map((r) => explainRsync(r.code)).filter((r): r is RsyncExplanation => r !== undefined)
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no')

export function formatExitCode(e: ExitCodeInfo): string {
  const lines = [`${e.code} ${e.name}`, `  ${e.summary}`]
  if (e.message !== undefined) lines.push(`  Message: ${e.message}`)
  lines.push('Usual causes:', ...e.causes.map((c) => `  - ${c}`))
  lines.push('What to check:', ...e.next.map((n) => `  - ${n}`))
  return `${lines.join('\n')}\n`
}

export function formatRsync(r: RsyncExplanation): string {
  const exit = `${r.exitCode}${r.exitName === undefined ? '' : ` ${r.exitName}`}`
  const lines = [
    `rsync ${r.code} ${r.name}: ${r.meaning}`,
    `transporter: class ${r.class}, retried: ${yesNo(r.retried)}, exit ${exit} (rule ${r.rule})`,
    `  ${r.description}`,
  ]
  if (r.refinements.length > 0) {
    lines.push("Refined by the errno at the end of rsync's error lines (the most severe fatal one wins, else the last):")
    for (const f of r.refinements) {
      const name = `${f.errno} ${f.errnoName ?? ''}`.trim()
      lines.push(
        `  errno ${name.padEnd(16)} class ${f.class.padEnd(9)} retried: ${yesNo(f.retried).padEnd(3)} exit ${f.exitCode} ${f.exitName ?? ''}`.trimEnd(),
      )
    }
  }
  return `${lines.join('\n')}\n`
}

export function formatAll(codes: readonly ExitCodeInfo[], rsync: readonly RsyncExplanation[]): string {
  const lines = ['transporter exit codes:']
  for (const e of codes) lines.push(`  ${String(e.code).padStart(3)}  ${e.name.padEnd(24)} ${e.summary}`)
  lines.push('  128+n  any other signal n: transporter was stopped or killed by it (see explain-exit <code>)')
  lines.push('', 'rsync exit codes and what transporter makes of them:')
  lines.push(`  ${'code'.padStart(4)}  ${'name'.padEnd(18)} ${'class'.padEnd(9)} retried  exit  meaning`)
  for (const r of rsync) {
    lines.push(
      `  ${String(r.code).padStart(4)}  ${r.name.padEnd(18)} ${r.class.padEnd(9)} ${yesNo(r.retried).padEnd(7)}  ${String(r.exitCode).padStart(4)}  ${r.meaning}`,
    )
  }
  lines.push('  other codes: retryable, exit 255. Codes 3, 11 and 23 are refined by errno: see `explain-exit --rsync 23`.')
  lines.push('', 'error codes (`error.code` in --json output):')
  for (const e of errorCodes()) lines.push(`  ${e.code.padEnd(11)} ${e.summary}`)
  return `${lines.join('\n')}\n`
}

/** The stable string codes of --json's `error.code`, from the one error-kind table. */
export function errorCodes(): Array<{code: string; class: string; exitCode: number; summary: string}> {
  return Object.values(ERROR_KINDS).map(({code, class: cls, exitCode, summary}) => ({code, class: cls, exitCode, summary}))
}

/** `explain-exit E_CONFIG`: one error code, or undefined. */
export function formatErrorCode(code: string): string | undefined {
  const e = errorCodes().find((k) => k.code === code.toUpperCase())
  return e === undefined
    ? undefined
    : `${e.code}: ${e.summary}\n  class ${e.class}; exit code ${e.exitCode === 255 ? 'as the error says (255 unless an errno names it)' : e.exitCode}\n`
}
