import type {Classification} from './classify.js'

/** rsync's sender when a listed path is gone: `rsync: [sender] link_stat "…" failed: No such file or directory (2)`. */
const LINK_STAT_ENOENT = /^rsync: \[sender\] link_stat ".*" failed: .*\(2\)$/
const ERROR_LINE = /^rsync: |^rsync error: |^file has vanished: /

/**
 * A split copy hands rsync a list; a listed file deleted from the source
 * since then is what a plain copy calls a vanished file (rsync 24), not a
 * retryable ENOENT (spec §9). True when every error line of an rsync 23 says so.
 */
export function listedFilesVanished(code: number, stderrTail: string): boolean {
  if (code !== 23) return false
  const errors = stderrTail.split('\n').filter((l) => ERROR_LINE.test(l) && !l.startsWith('rsync error: '))
  return errors.length > 0 && errors.every((l) => LINK_STAT_ENOENT.test(l) || l.startsWith('file has vanished: '))
}

/** The verdict for such an attempt: vanished, as rsync 24 is (exit 0 unless the policy says otherwise). */
export function asVanished(verdict: Classification): Classification {
  return {
    ...verdict,
    class: 'vanished',
    exitCode: 0,
    retryable: true,
    rule: 'listed-vanished',
    description: 'files listed for this part were deleted from the source before rsync reached them: vanished, as in a plain copy',
  }
}
