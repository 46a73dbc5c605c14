import {optionTypes} from '../core/config/copy-options.js'
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
    return {argv: ['copy', ...goFlagsToArgv(copyArgs, optionTypes())]}
  } catch (error) {
    if (error instanceof GoFlagError) return {error: error.message}
    throw error
  }
}
