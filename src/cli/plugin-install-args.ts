import {statSync} from 'node:fs'
import {isAbsolute, resolve} from 'node:path'

/**
 * @oclif/plugin-plugins 5 reads `plugins install ./dir` as a GitHub `org/repo`
 * and fails after a long network timeout, while `file:/abs/dir` works. So a
 * local path is turned into `file:<absolute path>` before oclif sees it.
 *
 * Converted: an existing directory written as a path (absolute, or starting with
 * `.`, or containing a `/`) and any `.tgz` / `.tar.gz` file path. A bare word
 * stays a package name even if a directory of that name exists, as with npm.
 */
const INSTALL_COMMANDS: ReadonlyArray<readonly string[]> = [['plugins', 'install'], ['plugins', 'add'], ['plugins:install'], ['plugins:add']]

export function rewritePluginInstallArgs(argv: string[], cwd: string): string[] {
  const command = INSTALL_COMMANDS.find((c) => c.every((word, i) => argv[i] === word))
  if (command === undefined) return argv
  const head = argv.slice(0, command.length)
  const rest = argv.slice(command.length).map((arg) => (isLocalPath(arg, cwd) ? `file:${resolve(cwd, arg)}` : arg))
  return [...head, ...rest]
}

function isLocalPath(arg: string, cwd: string): boolean {
  if (arg === '' || arg.startsWith('-') || arg.startsWith('file:') || /^[a-z][a-z0-9+.-]*:/i.test(arg)) return false
  if (/\.(tgz|tar\.gz)$/i.test(arg)) return true
  const looksLikePath = isAbsolute(arg) || arg.startsWith('.') || arg.includes('/')
  if (!looksLikePath) return false
  try {
    return statSync(resolve(cwd, arg)).isDirectory()
  } catch {
    return false
  }
}
