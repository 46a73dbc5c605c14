/**
 * Options a split copy (--parallel, --shard) cannot honour: rsync lists the
 * files with the copy's filters and link options (source-listing.ts), but
 * each worker's rsync sees only its own part, so with these it would not
 * equal a plain copy (spec §9). Such a combination is refused
 * before anything is copied, saying why. `test/engine/split-options.test.ts`
 * checks every other allow-listed option against a plain copy.
 */
const SPLIT_UNSAFE_LONG: Record<string, string> = {
  // a plain copy retries a 25 and deletes up to N more each time; one delete pass cannot be that copy
  'max-delete': 'a plain copy deletes up to the limit again on each retry of its code 25',
  'prune-empty-dirs': "a part would prune the directories that hold only another part's files",
}
/**
 * As non-root (or as root without CAP_DAC_OVERRIDE) a split copy keeps
 * directories owner-writable while its workers
 * run and gives them their modes in a last pass; with --no-perms that pass
 * sets no modes, so the directories would keep a write bit a plain copy does
 * not give them.
 */
const SPLIT_UNSAFE_NON_ROOT: Record<string, string> = {
  'no-perms':
    'as non-root (or root without CAP_DAC_OVERRIDE), directories stay owner-writable while the workers run and no pass may set their modes afterwards',
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

/** The first extra argument a split copy cannot honour (bypassing file permissions or not, sharded or not), and why; undefined when there is none. No short option is refused. */
export function splitUnsafeOption(
  args: readonly string[],
  how: {bypassesPermissions: boolean; shard: boolean} = {bypassesPermissions: true, shard: false},
): SplitRefusal | undefined {
  for (const arg of args) {
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? ''
      const why =
        SPLIT_UNSAFE_LONG[name] ?? (how.shard ? SPLIT_UNSAFE_SHARD[name] : undefined) ?? (how.bypassesPermissions ? undefined : SPLIT_UNSAFE_NON_ROOT[name])
      if (why !== undefined) return {arg, why}
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
