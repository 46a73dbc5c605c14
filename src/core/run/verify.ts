import type {Logger} from '../../plugin-api.js'
import {verifyError} from '../codes/errors.js'
import {runRsyncAttempt} from '../rsync/attempt.js'
import type {StopController} from './stop.js'

export interface VerifyInput {
  rsyncPath: string
  src: string
  dest: string
  extraArgs: readonly string[]
  /** --shard: the shard's own lists (relative to `src`); the whole tree when absent */
  filesFrom?: readonly string[] | undefined
  log: Logger
  stop: StopController
}

export interface VerifyResult {
  /** files that differ (and, when the copy used --delete, entries only in dest) */
  mismatches: number
  /** entries in dest that are not in src */
  extras: number
  /** the first differing names, for the error report and --json */
  sample: string[]
}

const SAMPLE = 10

/** Options that decide what the copy means, so a correct copy made with them verifies clean (spec §10). */
const MEANING_LONG = new Set([
  'exclude',
  'include',
  'filter',
  'exclude-from',
  'include-from',
  'copy-links',
  'copy-unsafe-links',
  'safe-links',
  'keep-dirlinks',
  'max-size',
  'min-size',
  'chmod',
  'chown',
  'no-perms',
  'no-owner',
  'no-group',
  'no-times',
  'omit-dir-times',
  'omit-link-times',
  'no-links',
  'no-devices',
  'no-specials',
  'devices',
  'specials',
  'hard-links',
  'acls',
  'xattrs',
  'numeric-ids',
  'executability',
  'ignore-existing',
  'update',
  'size-only',
  'modify-window',
  'one-file-system',
  'prune-empty-dirs',
  'delete-excluded',
  'fake-super',
  'super',
])
const MEANING_SHORT = new Set(['H', 'A', 'X', 'L', 'u', 'x', 'D', 'E', 'O', 'J'])

export function meaningArgs(extraArgs: readonly string[]): string[] {
  const out: string[] = []
  for (const arg of extraArgs) {
    if (arg.startsWith('--')) {
      if (MEANING_LONG.has(arg.slice(2).split('=')[0] ?? '')) out.push(arg)
    } else if (arg.startsWith('-')) {
      const letters = [...arg.slice(1)].filter((l) => MEANING_SHORT.has(l)).join('')
      if (letters !== '') out.push(`-${letters}`)
    }
  }
  return out
}

/**
 * `--verify`: a checksum dry run after a successful copy, with the options
 * that gave the copy its meaning. Every file rsync itemizes would be sent
 * again, i.e. differs; `*deleting` lines are entries only in dest. Resolves
 * undefined when a signal interrupted the pass (nothing is known then).
 */
export async function verifyCopy(input: VerifyInput): Promise<VerifyResult | undefined> {
  const deletes = input.extraArgs.some((a) => a.startsWith('--delete'))
  const result: VerifyResult = {mismatches: 0, extras: 0, sample: []}
  const passes = input.filesFrom === undefined ? [undefined] : input.filesFrom
  for (const list of passes) {
    const args = [
      list === undefined ? '-rlptgo' : '-lptgo',
      '--checksum',
      '--dry-run',
      '--itemize-changes',
      '--out-format=%i %n',
      ...meaningArgs(input.extraArgs),
      // extras can only be told for the whole tree
      ...(list === undefined ? ['--delete'] : [`--files-from=${list}`, '--from0']),
      '--',
      input.src,
      input.dest,
    ]
    const raw = await runRsyncAttempt(
      {rsyncPath: input.rsyncPath, args, stderrTailBytes: 16 * 1024, graceMs: 2000, stop: input.stop},
      {
        onLine: (line: string) => {
          const extra = line.startsWith('*deleting ')
          // `>fc.t...... name`: a file whose content differs; directories' times are not data
          if (!extra && !/^[<>ch.*][fLDS]/.test(line)) return
          if (extra) result.extras++
          if (extra && !deletes) return
          result.mismatches++
          if (result.sample.length < SAMPLE) result.sample.push(line)
        },
      },
    )
    if (raw.interrupted) return undefined
    if (raw.code !== 0) throw verifyError(`verify pass failed: ${raw.reason}`, raw.stderrTail.split('\n').filter(Boolean).slice(-1)[0])
  }
  if (result.mismatches > 0) input.log.error(`verify: ${result.mismatches} file(s) differ, e.g. ${result.sample.slice(0, 5).join('; ')}`)
  else
    input.log.info(
      `verify: source and destination match${result.extras > 0 ? ` (${result.extras} entr${result.extras === 1 ? 'y' : 'ies'} only in dest; the copy did not use --delete)` : ''}`,
    )
  return result
}
