import type {Logger} from '../../plugin-api.js'
import {runRsyncAttempt} from '../rsync/attempt.js'
import type {StopController} from './stop.js'
import {verifyError} from '../codes/errors.js'

export interface VerifyInput {
  rsyncPath: string
  src: string
  dest: string
  extraArgs: readonly string[]
  log: Logger
  stop: StopController
}

/**
 * `--verify`: a checksum dry run after a successful copy. Every line rsync
 * itemizes is a file that would be transferred again, i.e. differs.
 */
export async function verifyCopy(input: VerifyInput): Promise<number> {
  let mismatches = 0
  const sample: string[] = []
  const raw = await runRsyncAttempt(
    {
      rsyncPath: input.rsyncPath,
      args: ['-rlptgo', '--checksum', '--dry-run', '--itemize-changes', '--out-format=%i %n', ...input.extraArgs.filter((a) => a.startsWith('--exclude') || a.startsWith('--filter') || a.startsWith('--include')), '--', input.src, input.dest],
      stderrTailBytes: 16 * 1024,
      graceMs: 2000,
      stop: input.stop,
    },
    {
      onLine: (line: string) => {
        // `>fc.t...... name`: a file whose content differs; directories' times are not data.
        if (!/^[<>ch.*][fLDS]/.test(line) && !/^\*deleting/.test(line)) return
        mismatches++
        if (sample.length < 5) sample.push(line)
      },
    },
  )
  if (raw.code !== 0 && !raw.interrupted) {
    throw verifyError(`verify pass failed: ${raw.reason}`, raw.stderrTail.split('\n').filter(Boolean).slice(-1)[0])
  }
  if (mismatches > 0) input.log.error(`verify: ${mismatches} file(s) differ, e.g. ${sample.join('; ')}`)
  else input.log.info('verify: source and destination match')
  return mismatches
}
