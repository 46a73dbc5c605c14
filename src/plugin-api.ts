/**
 * The transporter plugin contract (spec §7.1). Public API: extend it, never rename it.
 *
 * A plugin imports only these types (`import type {...} from 'transporter/plugin-api'`,
 * or from 'transporter', which re-exports them)
 * so that plugins installed in oclif's data dir work with their own copies of
 * everything. The one runtime value here, API_VERSION, is a constant a plugin
 * may copy instead of importing.
 */

export const API_VERSION = 1 as const

/** What the `transporter:register` hook receives. */
export interface RegisterOptions {
  apiVersion: number
}

/** What a plugin's `transporter:register` hook returns. */
export interface TransporterPlugin {
  apiVersion: 1
  reporters?: Record<string, Factory<Reporter>>
  retryPolicies?: Record<string, Factory<RetryPolicy>>
  mountChecks?: Record<string, Factory<MountCheck>>
  classifiers?: Record<string, Factory<ClassifierRules>>
}

export interface Factory<T> {
  description: string
  create(options: unknown, env: FactoryEnv): T | Promise<T>
}

/** Line-oriented logger; every line goes to stderr with a timestamp. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** A text sink (stdout or stderr of the transporter process). */
export interface TextSink {
  write(text: string): void
  /** true when the sink is a terminal */
  readonly isTTY: boolean
  readonly columns?: number | undefined
  /**
   * Optional (hosts before this extension lack it; check before calling):
   * draws `line` as the terminal's live last line, replacing the one drawn
   * before (a progress bar). The host clears it before anything else reaches
   * the terminal (log lines, rsync's stderr, `write`) and draws it again
   * after, so nothing stale is left on screen. One line without a newline;
   * the host cuts it to the width. A no-op when the sink is not a terminal.
   */
  status?(line: string): void
  /** Optional, with `status`: removes the live line, leaving nothing of it on screen. */
  clearStatus?(): void
}

/** The run's settings, resolved from flags > environment > config > defaults. */
export interface RunSettings {
  src: string
  dest: string
  /** `--report-addr`, validated as an http(s) URL; undefined when not given */
  reportAddr?: string | undefined
  /** `--report-interval` in ms (≤0 already turned into 5000) */
  reportIntervalMs: number
  /** `--progress`: progress reports to reportAddr */
  progress: boolean
  /** `--stderr`: error report with rsync's stderr tail to reportAddr */
  stderr: boolean
  quiet: boolean
  json: boolean
  dryRun: boolean
  /** `--no-progress-bar` turns the TTY bar into plain lines */
  progressBar: boolean
}

/** What a factory gets besides its own options. */
export interface FactoryEnv {
  apiVersion: 1
  /** transporter's version, e.g. for a `User-Agent: transporter/<version>` */
  version: string
  /** directory the config file was found in (or cwd); resolve relative option paths against it */
  baseDir: string
  settings: RunSettings
  log: Logger
  stdout: TextSink
  stderr: TextSink
  /** the environment transporter runs with (proxy variables etc.) */
  env: Readonly<Record<string, string | undefined>>
}

export type CopyClass = 'ok' | 'partial' | 'vanished' | 'retryable' | 'fatal' | 'usage'

export type CopyEvent =
  | {type: 'start'; runId: string; src: string; dest: string}
  | {type: 'attempt-start'; attempt: number}
  /**
   * The current attempt's live counters (they restart at 0 on each attempt), at
   * most every 100 ms; only while live progress is on (see `Reporter.wantsProgress`).
   * With `--parallel`, attempts of several workers run at once and every
   * progress event carries the run's counters: the latest sample of each
   * worker, summed.
   */
  | {type: 'progress'; attempt: number; filesTransferred: number; filesTotal: number; bytes?: number}
  | {type: 'attempt-end'; attempt: number; code: number; reason: string; class: string; stderrTail: string}
  | {type: 'retry'; attempt: number; delayMs: number; counted: boolean}
  /**
   * Once per run. The counts are real whether or not live progress was on:
   * files and bytes summed over every attempt; `filesTotal` is what rsync
   * considered (directories included).
   */
  | {
      type: 'done'
      exitCode: number
      class: string
      filesTransferred: number
      filesTotal: number
      bytes: number
      durationMs: number
      stderrTail: string
      reason: string
    }

export interface Reporter {
  /**
   * Set it to `true` only if the reporter needs live `progress` events in every
   * run (a terminal bar, an event log): rsync is then asked for per-file
   * progress output (`--info=progress2`), which costs rsync CPU on every file.
   *
   * Without it, the reporter gets `progress` events only when live progress is
   * on for another reason (`--progress`, a terminal, another reporter that
   * wants it). It needs none to report counts: the `done` event always carries
   * the run's real `filesTransferred`, `filesTotal` and `bytes`, from rsync's
   * end-of-run summary when nothing asked for live progress. Read as the
   * reporter is created, once per run.
   */
  readonly wantsProgress?: boolean
  /** never awaited on the copy's hot path; a throw or rejection is logged, never fatal */
  onEvent(event: CopyEvent): void | Promise<void>
  /** epoch ms; called once before exit: deliver what must be delivered by then */
  flush?(deadline: number): Promise<void>
}

/** How one rsync attempt ended, after classification. */
export interface AttemptResult {
  /** 1-based, counts every rsync start, uncounted retries included */
  attempt: number
  /** rsync exit status; -1 killed by a signal; -10 pipe; -11 start failure; -12 wait failure */
  code: number
  /** signal name when code is -1 (e.g. 'SIGKILL') */
  signal?: string | undefined
  /** Go-style reason: `exit status 23`, `signal: killed`, `fork/exec /x: no such file or directory` */
  reason: string
  class: CopyClass
  /** the transporter exit code this attempt maps to */
  exitCode: number
  /** the errno that decided the class, if any */
  errno?: number | undefined
  /** the rule that decided, for `classify` and logs */
  rule: string
  /** whether the class is one a policy may retry */
  retryable: boolean
  durationMs: number
  filesTransferred: number
  filesTotal: number
  bytes: number
  stderrTail: string
  /** the attempt ended because transporter was stopped by a signal */
  interrupted?: boolean | undefined
}

export type RetryDecision =
  | {
      retry: false
      /** overrides the last attempt's exit code (e.g. vanished files counted as success) */
      exitCode?: number
      /** logged once when the run ends this way */
      warning?: string
    }
  | {retry: true; delayMs: number; counted: boolean}

export interface RetryPolicy {
  /** `history` holds every attempt so far, `last` included */
  decide(last: AttemptResult, history: AttemptResult[]): RetryDecision
  /** counted attempts at most, for "attempt n/N" in logs; the engine reads nothing else of a policy */
  readonly maxAttempts?: number
}

export type MountCheckResult = {ok: true} | {ok: false; errno?: string; reason: string}

export interface MountCheck {
  check(path: string, role: 'src' | 'dest'): Promise<MountCheckResult>
}

/**
 * Classification rules are data. A rule matches an attempt when every field it
 * sets matches; later rules (config over plugins over the built-in table) win
 * over earlier ones for the same rsync code, and errno rules refine code rules.
 */
export interface ClassifyRule {
  /** shown by `transporter classify` */
  id: string
  /** rsync exit codes the rule applies to; absent = any code */
  codes?: number[]
  /** errnos read from rsync's stderr (`... (28)`); absent = a code-only rule */
  errnos?: number[]
  /** match an attempt killed by a signal */
  signal?: boolean
  class: CopyClass
  exitCode: number
  /** for errno rules: rank among fatal errnos when several appear (higher wins) */
  severity?: number
  description?: string
}

export interface ClassifierRules {
  rules: ClassifyRule[]
}
