/**
 * transporter as a library: the engine without the CLI. Importing this module
 * has no side effects (no argv, no process.exit, no signal handlers, no
 * output); the CLI lives in `bin/run.js`.
 *
 *   import {runCopy, StopController, classify, loadConfig} from 'transporter'
 */

export * from './plugin-api.js'
export {runCopy, type AttemptSummary, type CopyComponents, type CopyOutcome, type CopyRequest, type CopyRuntime} from './core/copy.js'
export {classify, isRetryableClass, SEED_RULES, ERRNO_CODES, type Classification, type ClassifyInput} from './core/classify.js'
export {loadConfig, type ComponentEntry, type CopyDefaults, type TransporterConfig} from './core/config.js'
export {StopController, signalExitCode} from './core/stop.js'
export {killAllGroups} from './core/children.js'
export {EXIT_CODES, type ExitCodeInfo} from './core/exit-codes.js'
export {TransporterError, isTransporterError, type ErrorKind} from './core/errors.js'
export {parseProgressLine, parseStatsLine, type ProgressSample} from './core/progress.js'
export {buildRsyncArgs, validateExtraArgs, type RsyncArgsInput} from './core/rsync-args.js'
