import type {AttemptResult, ClassifyRule, Logger} from '../../plugin-api.js'
import {classify} from '../classify/classify.js'
import {runRsyncAttempt} from '../rsync/attempt.js'
import type {LoopOutcome} from './attempt-loop.js'
import type {StopController} from './stop.js'

export interface DirPassInput {
  rsyncPath: string
  src: string
  dest: string
  extraArgs: readonly string[]
  graceMs: number
  stop: StopController
  log: Logger
  classifyRules: readonly ClassifyRule[]
  env?: NodeJS.ProcessEnv | undefined
  /** 'tree': every directory (--parallel); 'root': the source directory itself only (a shard of `src/`) */
  scope: 'tree' | 'root'
  /** the number the pass's attempt carries when it fails */
  attempt: number
}

/** Options that decide which attributes a directory gets, so the pass gives them as a plain copy would. */
const ATTRIBUTE_LONG = new Set([
  'chmod',
  'chown',
  'no-perms',
  'no-owner',
  'no-group',
  'no-times',
  'omit-dir-times',
  'numeric-ids',
  'acls',
  'xattrs',
  'super',
  'fake-super',
])
const ATTRIBUTE_SHORT = new Set(['A', 'X', 'O'])

export function attributeArgs(extraArgs: readonly string[]): string[] {
  const out: string[] = []
  for (const arg of extraArgs) {
    if (arg.startsWith('--')) {
      if (ATTRIBUTE_LONG.has(arg.slice(2).split('=')[0] ?? '')) out.push(arg)
    } else if (arg.startsWith('-')) {
      const letters = [...arg.slice(1)].filter((l) => ATTRIBUTE_SHORT.has(l)).join('')
      if (letters !== '') out.push(`-${letters}`)
    }
  }
  return out
}

/**
 * Split workers create directories as they go and their files bump the
 * directories' mtimes; one last pass that transfers directories only (no
 * files) gives them the source's attributes (spec §9). A shard of `src/`
 * needs it for dest itself: rsync sets the times of the directories a list
 * implies, but never of the list's base. Each shard runs it when it is done,
 * so whichever shard finishes last leaves dest's attributes right.
 * A failure is the run's error with rsync's errno, not a warning; the
 * pass's own counts are not the copy's.
 */
export async function applyDirAttributes(input: DirPassInput): Promise<LoopOutcome | undefined> {
  const scope = input.scope === 'tree' ? ['-r', '--filter=+ */', '--filter=- *'] : ['-d', '--filter=- *']
  const raw = await runRsyncAttempt({
    rsyncPath: input.rsyncPath,
    args: ['-lptgo', ...scope, ...attributeArgs(input.extraArgs), '--', input.src, input.dest],
    stderrTailBytes: 16 * 1024,
    graceMs: input.graceMs,
    stop: input.stop,
    ...(input.env ? {env: input.env} : {}),
  })
  if (raw.code === 0 || raw.interrupted) return undefined
  const verdict = classify({code: raw.code, signal: raw.signal, stderr: raw.stderrTail}, input.classifyRules)
  const warning = `directory attribute pass: ${raw.reason}`
  // a directory that vanished meanwhile is what it would be in a plain copy: a warning
  if (verdict.class === 'vanished') {
    input.log.warn(warning)
    return {exitCode: 0, attempts: [], warnings: [warning]}
  }
  input.log.error(`${warning} (${verdict.class}, ${verdict.rule}, exit ${verdict.exitCode}); stderr: ${lastLine(raw.stderrTail)}`)
  const attempt: AttemptResult = {
    attempt: input.attempt,
    code: raw.code,
    signal: raw.signal,
    reason: `${warning}`,
    class: verdict.class === 'ok' ? 'fatal' : verdict.class,
    exitCode: verdict.exitCode === 0 ? 255 : verdict.exitCode,
    errno: verdict.errno,
    rule: verdict.rule,
    retryable: false,
    durationMs: raw.durationMs,
    filesTransferred: 0,
    filesTotal: 0,
    bytes: 0,
    stderrTail: raw.stderrTail,
  }
  return {exitCode: attempt.exitCode, attempts: [attempt], warnings: []}
}

function lastLine(stderr: string): string {
  return (
    stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? ''
  )
}
