import {configError} from '../codes/errors.js'

/** Long options a config may pass through (`--name` or `--name=value`). */
export const ALLOWED_LONG: ReadonlySet<string> = new Set([
  'acls',
  'append',
  'append-verify',
  'block-size',
  'bwlimit',
  'checksum',
  'chmod',
  'chown',
  'compress',
  'compress-level',
  'contimeout',
  'copy-links',
  'copy-unsafe-links',
  'delay-updates',
  'delete',
  'delete-after',
  'delete-before',
  'delete-delay',
  'delete-during',
  'delete-excluded',
  'exclude',
  'exclude-from',
  'executability',
  'filter',
  'force',
  'fuzzy',
  'hard-links',
  'ignore-errors',
  'ignore-existing',
  'ignore-times',
  'include',
  'include-from',
  'inplace',
  'keep-dirlinks',
  'max-delete',
  'max-size',
  'min-size',
  'mkpath',
  'modify-window',
  'no-whole-file',
  'numeric-ids',
  'one-file-system',
  'omit-dir-times',
  'omit-link-times',
  'preallocate',
  'prune-empty-dirs',
  'safe-links',
  'size-only',
  'sparse',
  'super',
  'fake-super',
  'timeout',
  'update',
  'whole-file',
  'xattrs',
  'no-perms',
  'no-owner',
  'no-group',
  'no-times',
  'no-links',
  'no-devices',
  'no-specials',
  'devices',
  'specials',
  'crtimes',
  'atimes',
  'open-noatime',
  'iconv',
  'checksum-choice',
  'backup',
  'backup-dir',
  'suffix',
  'log-file',
  'log-file-format',
  'stats',
])

/** Short options a config may pass through, alone or bundled (`-HAX`). */
export const ALLOWED_SHORT: ReadonlySet<string> = new Set(['H', 'A', 'X', 'S', 'c', 'z', 'x', 'L', 'u', 'W', 'E', 'D', 'O', 'J', 'U', 'b', 'y'])

/** Why an option is refused, so the error says something useful. */
const REFUSED: Record<string, string> = {
  quiet: 'it hides the errors transporter classifies',
  q: 'it hides the errors transporter classifies',
  info: "transporter sets rsync's progress output itself",
  'out-format': 'it changes the output transporter parses',
  // a file named `12-34` printed on its own line reads as the legacy `N-M` progress form
  verbose: 'it prints file names on stdout, where transporter reads progress; use --log-file for a per-file log',
  v: 'it prints file names on stdout, where transporter reads progress; use --log-file for a per-file log',
  'itemize-changes': 'it prints file names on stdout, where transporter reads progress; use --log-file for a per-file log',
  i: 'it prints file names on stdout, where transporter reads progress; use --log-file for a per-file log',
  progress: "transporter sets rsync's progress output itself",
  P: "transporter sets rsync's progress output itself",
  daemon: 'transporter runs local copies only',
  server: 'transporter runs local copies only',
  sender: 'transporter runs local copies only',
  'files-from': 'it is only used by --parallel/--shard',
  from0: 'it is only used by --parallel/--shard',
  rsh: 'remote shells are not supported',
  e: 'remote shells are not supported',
  'dry-run': "use transporter's --dry-run flag",
  n: "use transporter's --dry-run flag",
  'temp-dir': "transporter sweeps a killed rsync's temporary files beside the destination files",
  T: "transporter sweeps a killed rsync's temporary files beside the destination files",
  'list-only': 'it copies nothing',
  'remove-source-files': 'transporter never deletes from the source',
  // progress2 and the summary would print 1.23M, which reads as no bytes at all
  'human-readable': 'it turns the numbers transporter reads into units; the summary line is human-readable already',
  h: 'it turns the numbers transporter reads into units; the summary line is human-readable already',
}

/** Long options whose value is a file rsync reads or writes. */
const PATH_VALUED = new Set([
  'log-file',
  'backup-dir',
  'temp-dir',
  'include-from',
  'exclude-from',
  'files-from',
  'compare-dest',
  'copy-dest',
  'link-dest',
  'partial-dir',
  'password-file',
])
/** A filter rule that reads rules from a file: `merge FILE`, `. FILE`, `dir-merge NAME`, `: NAME`. */
const MERGE_RULE = /^(?:merge|dir-merge|[.:])/

/**
 * Whether an extra argument names a path rsync will open. The allow-list
 * guards rsync's semantics, not security: these are only taken from a config
 * that passed the trust check.
 */
export function pathValuedOption(arg: string): boolean {
  if (!arg.startsWith('--')) return false
  const eq = arg.indexOf('=')
  const name = arg.slice(2, eq === -1 ? undefined : eq)
  if (PATH_VALUED.has(name)) return true
  return name === 'filter' && eq !== -1 && MERGE_RULE.test(arg.slice(eq + 1).trimStart())
}

/**
 * Whether rsync reads filter rules from files: `--exclude-from`,
 * `--include-from`, or a merge rule (`merge`, `dir-merge`, `.`, `:`). A
 * worker's `--from0` (its list's names may hold newlines) makes rsync read
 * those files NUL-separated too, so their rules would not apply while it
 * recurses into a directory.
 */
export function readsRuleFiles(args: readonly string[]): boolean {
  return args.some(
    (arg) => /^--(?:exclude|include)-from(?:=|$)/.test(arg) || (arg.startsWith('--filter=') && MERGE_RULE.test(arg.slice('--filter='.length).trimStart())),
  )
}

export function validateExtraArgs(args: readonly string[], where = 'rsync.extraArgs'): void {
  args.forEach((arg, i) => {
    const refuse = (why: string) => {
      throw configError(
        `${where}[${i}]: rsync option ${JSON.stringify(arg)} is not allowed (${why})`,
        `allowed: ${[...ALLOWED_LONG]
          .sort()
          .map((o) => `--${o}`)
          .join(', ')}; short: -${[...ALLOWED_SHORT].join('')}. Give values as --name=value.`,
      )
    }
    if (/[\0\n\r]/.test(arg)) refuse('control characters')
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? ''
      if (REFUSED[name]) refuse(REFUSED[name])
      if (!ALLOWED_LONG.has(name)) refuse('not on the allow-list')
      return
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (const letter of arg.slice(1)) {
        if (REFUSED[letter]) refuse(REFUSED[letter])
        if (!ALLOWED_SHORT.has(letter)) refuse('not on the allow-list')
      }
      return
    }
    refuse('extra arguments must be options; src and dest come from --src/--dest')
  })
}

export interface RsyncArgsInput {
  src: string
  dest: string
  progress: boolean
  extraArgs: readonly string[]
  dryRun?: boolean
  /** a NUL-separated list file of paths relative to src (--parallel/--shard) */
  filesFrom?: string | undefined
  /** with filesFrom: a listed directory is copied with its whole subtree (the list names whole subtrees) */
  recursive?: boolean
}

/** What starts each line a dry run prints for a file it would transfer. */
export const DRY_RUN_PREFIX = 'transporter would transfer: '

/** The argv rsync runs with; never goes through a shell, paths after a `--` guard. */
export function buildRsyncArgs(input: RsyncArgsInput): string[] {
  // With --files-from rsync implies --dirs; -r makes a listed directory copy its whole subtree, wanted only when the list names subtrees.
  const args = [input.filesFrom && input.recursive !== true ? '-lptgo' : '-rlptgo', '--partial']
  // Without live progress, rsync's end-of-run summary still gives the real counts, at no per-file cost.
  args.push(input.progress ? '--info=progress2' : '--info=stats2')
  // a dry run says what it would transfer, on lines the progress parser never takes for progress
  if (input.dryRun) args.push('--dry-run', `--out-format=${DRY_RUN_PREFIX}%i %n%L`)
  if (input.filesFrom) args.push(`--files-from=${input.filesFrom}`, '--from0')
  args.push(...input.extraArgs)
  args.push('--', input.src, input.dest)
  return args
}
