/**
 * transporter as a library: the engine without the CLI. Importing this module
 * has no side effects (no argv, no process.exit, no signal handlers, no
 * output); the CLI lives in `bin/run.js`.
 *
 *   import {runCopy, StopController, classify, loadConfig} from 'transporter'
 */

export * from './plugin-api.js'
export {runCopy, type CopyComponents, type CopyRequest, type CopyRuntime} from './core/run/copy.js'
export type {AttemptSummary, CopyOutcome, OutcomeError} from './core/run/outcome.js'
export {classify, isRetryableClass, type Classification, type ClassifyInput} from './core/classify/classify.js'
export {SEED_RULES, ERRNO_CODES} from './core/classify/rules.js'
export {loadConfig, type ComponentEntry, type TransporterConfig} from './core/config/load.js'
export type {CopyDefaults} from './core/config/copy-options.js'
export {StopController, signalExitCode} from './core/run/stop.js'
export {killAllGroups} from './core/rsync/children.js'
export {EXIT_CODES, type ExitCodeInfo} from './core/codes/exit-codes.js'
export {EXIT} from './core/codes/exit.js'
export {TransporterError, isTransporterError, ERROR_KINDS, type ErrorKind, type ErrorCode} from './core/codes/errors.js'
export {parseProgressLine, parseStatsLine, type ProgressSample} from './core/rsync/progress.js'
export {buildRsyncArgs, validateExtraArgs, type RsyncArgsInput} from './core/rsync/args.js'
