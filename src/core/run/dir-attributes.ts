import type {AttemptResult, ClassifyRule, Logger} from '../../plugin-api.js'
import {classify} from '../classify/classify.js'
import {runRsyncAttempt, type RawAttempt} from '../rsync/attempt.js'
import type {LoopOutcome} from './attempt-loop.js'
import {asDirectory} from '../split/work-split.js'
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
  /**
   * 'tree': every directory (--parallel); 'root': the source directory itself only (a shard of `src/`);
   * {dirs, base}: the directories a NUL-separated list names, relative to `base` (--parallel whose workers copied
   * whole subtrees)
   */
  scope: 'tree' | 'root' | {dirs: string; base: string}
  /** the number the pass's attempt carries when it fails */
  attempt: number
}

/**
 * The pass runs with the copy's own options, so a directory gets what the
 * plain copy would give it: `--chmod`, `--no-perms`, `-O`, but also
 * `--backup` (which implies `--omit-dir-times`), `-K` and `--ignore-existing`
 * (a symlink in dest where the source has a directory stays), `--iconv`.
 * Never the ones that delete: with every file filtered out, `--delete` would
 * remove them all and `--prune-empty-dirs` every directory.
 */
const NOT_IN_PASS = /^--(?:delete|max-delete|prune-empty-dirs|log-file|stats)/

export function passArgs(extraArgs: readonly string[]): string[] {
  return extraArgs.filter((arg) => !NOT_IN_PASS.test(arg))
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
export function applyDirAttributes(input: DirPassInput): Promise<LoopOutcome | undefined> {
  // after the copy's own filters, so theirs decide first
  const {scope: where} = input
  // a listed `.` also names its subdirectories (--files-from implies -d); they get their own attributes again
  const scope =
    where === 'tree'
      ? ['-r', '--filter=+ */', '--filter=- *']
      : where === 'root'
        ? ['-d', '--filter=- *']
        : [`--files-from=${where.dirs}`, '--from0', '--filter=+ */', '--filter=- *']
  // the list's names are relative to the split base, and dest is a directory whatever the list holds
  const paths = typeof where === 'string' ? input : {...input, src: where.base, dest: asDirectory(input.dest)}
  return runPass('directory attribute pass', ['-lptgo', ...passArgs(input.extraArgs), ...scope], paths)
}

/**
 * --delete with --parallel: the workers never delete (each sees only its own
 * part); once every worker succeeded, one pass with the copy's own options
 * that creates and updates nothing (`--existing --ignore-existing`) deletes
 * what the plain copy would have deleted, once. A failure is the run's error.
 */
export function applyDeletes(input: Omit<DirPassInput, 'scope'>): Promise<LoopOutcome | undefined> {
  const own = input.extraArgs.filter((arg) => !/^--(?:log-file|stats)/.test(arg))
  return runPass('delete pass', ['-rlptgo', ...own, '--existing', '--ignore-existing'], input)
}

async function runPass(name: string, args: string[], input: Omit<DirPassInput, 'scope'>): Promise<LoopOutcome | undefined> {
  const raw = await runRsyncAttempt({
    rsyncPath: input.rsyncPath,
    args: [...args, '--', input.src, input.dest],
    stderrTailBytes: 16 * 1024,
    graceMs: input.graceMs,
    stop: input.stop,
    ...(input.env ? {env: input.env} : {}),
  })
  return passOutcome(name, raw, input)
}

/**
 * What one rsync run around the workers (a pass, the split's listing of the
 * source) adds to the copy's outcome: nothing when it succeeded or was
 * stopped; a warning when entries vanished meanwhile, as in a plain copy;
 * otherwise the run's error with rsync's errno. Its own counts are not the copy's.
 */
export function passOutcome(
  name: string,
  raw: RawAttempt,
  input: {log: Logger; classifyRules: readonly ClassifyRule[]; attempt: number},
): LoopOutcome | undefined {
  if (raw.code === 0 || raw.interrupted) return undefined
  const verdict = classify({code: raw.code, signal: raw.signal, stderr: raw.stderrTail}, input.classifyRules)
  const warning = `${name}: ${raw.reason}`
  if (verdict.class === 'vanished') {
    input.log.warn(warning)
    return {exitCode: 0, attempts: [], warnings: [warning]}
  }
  input.log.error(`${warning} (${verdict.class}, ${verdict.rule}, exit ${verdict.exitCode}); stderr: ${lastLine(raw.stderrTail)}`)
  const attempt: AttemptResult = {
    attempt: input.attempt,
    code: raw.code,
    signal: raw.signal,
    reason: warning,
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

/** The last non-blank line of an rsync stderr tail (its `rsync error: …` line when it has one). */
export function lastLine(stderr: string): string {
  return (
    stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? ''
  )
}
