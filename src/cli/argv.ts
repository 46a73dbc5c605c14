import {COPY_OPTIONS, optionAliases, optionTypes, type CopyOption} from '../core/config/copy-options.js'
import {GoFlagError, goFlagsToArgv} from './go-flags.js'
import {rewritePluginInstallArgs} from './plugin-install-args.js'

/**
 * Flags oclif itself answers at the top level; anything else starting with `-`
 * is the legacy form (so `-h` and `-help` print copy's usage, as the Go binary did).
 */
const ROOT_FLAGS = new Set(['--help', '--version'])

export type Rewritten = {argv: string[]} | {error: string}

/**
 * Turns what a user typed into what oclif should run:
 * - the old Go binary's form (`transporter -src /a -dest /b ...`, no command) becomes `copy ...`;
 * - `copy` arguments are parsed with Go's flag rules (so `copy -src /a` works too);
 * - local paths given to `plugins install` become `file:` specs plugin-plugins can install.
 */
export function rewriteArgv(argv: readonly string[], cwd: string): Rewritten {
  const first = argv[0]
  let copyArgs: readonly string[] | undefined
  if (first === 'copy') copyArgs = argv.slice(1)
  else if (first !== undefined && first.startsWith('-') && !ROOT_FLAGS.has(first)) copyArgs = argv
  if (copyArgs === undefined) return {argv: rewritePluginInstallArgs([...argv], cwd)}
  try {
    return {argv: ['copy', ...asFilterRules(goFlagsToArgv(copyArgs, optionTypes(), optionAliases()))]}
  } catch (error) {
    if (error instanceof GoFlagError) return {error: error.message}
    throw error
  }
}

/**
 * `--exclude=P`, `--include=P` and `--filter=R` become one ordered list of
 * `--filter` rules (`- P`, `+ P`, `R`): rsync applies the first rule that
 * matches, so their relative order is the meaning, and oclif would keep
 * three separate lists.
 */
function asFilterRules(argv: string[]): string[] {
  const options = COPY_OPTIONS as Readonly<Record<string, CopyOption>>
  return argv.map((arg) => {
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg)
    const rule = m === null ? undefined : options[m[1]!]?.filterRule
    return rule === undefined ? arg : `--filter=${rule}${m![2]}`
  })
}
