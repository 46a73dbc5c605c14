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
}

/** What starts each line a dry run prints for a file it would transfer. */
export const DRY_RUN_PREFIX = 'transporter would transfer: '

/** The argv rsync runs with; never goes through a shell, paths after a `--` guard. */
export function buildRsyncArgs(input: RsyncArgsInput): string[] {
  // With --files-from rsync implies --dirs; -r would make a listed directory copy its whole subtree.
  const args = [input.filesFrom ? '-lptgo' : '-rlptgo', '--partial']
  // Without live progress, rsync's end-of-run summary still gives the real counts, at no per-file cost.
  args.push(input.progress ? '--info=progress2' : '--info=stats2')
  // a dry run says what it would transfer, on lines the progress parser never takes for progress
  if (input.dryRun) args.push('--dry-run', `--out-format=${DRY_RUN_PREFIX}%i %n%L`)
  if (input.filesFrom) args.push(`--files-from=${input.filesFrom}`, '--from0')
  args.push(...input.extraArgs)
  args.push('--', input.src, input.dest)
  return args
}

/**
 * Options a split copy (--parallel, --shard) cannot honour: it lists its
 * files itself and each worker's rsync sees only its own part, so with these
 * it would not equal a plain copy (spec §9). Such a combination is refused
 * before anything is copied, saying why. `test/engine/split-options.test.ts`
 * checks every other allow-listed option against a plain copy.
 */
const FILTERS = 'the split lists every file, and rsync copies a listed file even when a rule excludes its directory'
const SPLIT_UNSAFE_LONG: Record<string, string> = {
  exclude: FILTERS,
  include: FILTERS,
  filter: FILTERS,
  'exclude-from': FILTERS,
  'include-from': FILTERS,
  // a plain copy retries a 25 and deletes up to N more each time; one delete pass cannot be that copy
  'max-delete': 'a plain copy deletes up to the limit again on each retry of its code 25',
  'copy-links': 'a listed symlink to a directory would become the directory without its contents',
  'copy-unsafe-links': 'a listed symlink to a directory would become the directory without its contents',
  'prune-empty-dirs': "a part would prune the directories that hold only another part's files",
  'one-file-system': 'the split lists files on other file systems too, and rsync copies what it is given',
}
const SPLIT_UNSAFE_SHORT: Record<string, string> = {
  L: SPLIT_UNSAFE_LONG['copy-links']!,
  x: SPLIT_UNSAFE_LONG['one-file-system']!,
}
/**
 * As non-root a split copy keeps directories owner-writable while its workers
 * run and gives them their modes in a last pass; with --no-perms that pass
 * sets no modes, so the directories would keep a write bit a plain copy does
 * not give them.
 */
const SPLIT_UNSAFE_NON_ROOT: Record<string, string> = {
  'no-perms': 'as non-root, directories stay owner-writable while the workers run and no pass may set their modes afterwards',
}

/**
 * --parallel deletes once, in one pass after its workers; a shard cannot: the
 * other shards may still be writing into dest, and their rsync temp files
 * are entries only in dest.
 */
const SPLIT_UNSAFE_SHARD: Record<string, string> = Object.fromEntries(
  ['delete', 'delete-after', 'delete-before', 'delete-delay', 'delete-during', 'delete-excluded'].map((name) => [
    name,
    'another shard may be writing into dest at the same time, and a delete would remove its files in flight; run one plain copy with --delete (or --parallel) after the shards',
  ]),
)

/** Whether the extra arguments ask rsync to delete (any --delete form). */
export function deletes(args: readonly string[]): boolean {
  return args.some((arg) => /^--delete(?:-(?:after|before|delay|during|excluded))?$/.test(arg))
}

export interface SplitRefusal {
  arg: string
  why: string
}

/** The first extra argument a split copy cannot honour (as root or not, sharded or not), and why; undefined when there is none. */
export function splitUnsafeOption(args: readonly string[], how: {root: boolean; shard: boolean} = {root: true, shard: false}): SplitRefusal | undefined {
  for (const arg of args) {
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? ''
      const why = SPLIT_UNSAFE_LONG[name] ?? (how.shard ? SPLIT_UNSAFE_SHARD[name] : undefined) ?? (how.root ? undefined : SPLIT_UNSAFE_NON_ROOT[name])
      if (why !== undefined) return {arg, why}
    } else if (arg.startsWith('-')) {
      const letter = [...arg.slice(1)].find((l) => SPLIT_UNSAFE_SHORT[l] !== undefined)
      if (letter !== undefined) return {arg, why: SPLIT_UNSAFE_SHORT[letter]!}
    }
  }
  // the workers replace what is in the way with --force, not --delete, and rsync then backs a replaced symlink up with other times
  if (!how.shard && deletes(args)) {
    const backupDir = args.find((a) => a.startsWith('--backup-dir'))
    if (backupDir !== undefined)
      return {arg: backupDir, why: 'with --delete, an entry a worker replaces is backed up into it with other times than a plain copy gives it'}
  }
  return undefined
}

/** Whether the extra arguments ask rsync to keep hard links (-H), so the split keeps each link group in one part. */
export function wantsHardLinks(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--hard-links' || (/^-[^-]/.test(arg) && arg.includes('H')))
}
