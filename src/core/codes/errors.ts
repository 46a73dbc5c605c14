import type {CopyClass} from '../../plugin-api.js'
import {EXIT, type ExitCode} from './exit.js'

/**
 * One error family. The brand is a global symbol so that `isTransporterError`
 * works across copies of this module (plugins installed with their own copy).
 */
const BRAND = Symbol.for('transporter.error')

/**
 * Every kind of error transporter reports, with the stable string code that
 * `--json` carries in `error.code` and `explain-exit --all` lists (spec §8.4).
 */
export const ERROR_KINDS = {
  usage: {code: 'E_USAGE', class: 'usage', exitCode: EXIT.ErrInvalidArgument, summary: 'a flag, argument, path or report URL is wrong; nothing was copied'},
  config: {
    code: 'E_CONFIG',
    class: 'usage',
    exitCode: EXIT.ErrInvalidArgument,
    summary: 'the config file is missing, refused (unsafe owner or mode) or invalid; nothing was copied',
  },
  plugin: {
    code: 'E_PLUGIN',
    class: 'usage',
    exitCode: EXIT.ErrInvalidArgument,
    summary: 'a plugin whose component the config selects is broken, or a factory rejected its options',
  },
  'dest-dir': {code: 'E_DEST_DIR', class: 'fatal', exitCode: EXIT.ErrSystem, summary: '--dest-dir could not create the destination (13, 30, 255 by errno)'},
  mount: {
    code: 'E_MOUNT',
    class: 'fatal',
    exitCode: EXIT.ErrSystem,
    summary: 'a mount check refused src or dest (2, 13, 30, 255 by errno); rsync was not started',
  },
  split: {code: 'E_SPLIT', class: 'fatal', exitCode: EXIT.ErrSystem, summary: '--parallel/--shard could not list the source into work lists'},
  rsync: {code: 'E_RSYNC', class: 'fatal', exitCode: EXIT.ErrSystem, summary: 'rsync failed: a fatal class, or the retries ran out (the exit code says why)'},
  verify: {code: 'E_VERIFY', class: 'fatal', exitCode: EXIT.ErrIOError, summary: '--verify found files that differ, or its pass failed'},
  signal: {code: 'E_SIGNAL', class: 'fatal', exitCode: EXIT.ErrSystem, summary: 'transporter was stopped by a signal (128+n)'},
  internal: {code: 'E_INTERNAL', class: 'fatal', exitCode: EXIT.ErrSystem, summary: 'a bug in transporter or a plugin (TRANSPORTER_DEBUG=1 shows where)'},
} as const satisfies Record<string, {code: `E_${string}`; class: CopyClass; exitCode: ExitCode; summary: string}>

export type ErrorKind = keyof typeof ERROR_KINDS
export type ErrorCode = (typeof ERROR_KINDS)[ErrorKind]['code']

export interface TransporterErrorOptions {
  /** the kind's default when absent */
  exitCode?: number | undefined
  hint?: string | undefined
  cause?: unknown
}

export class TransporterError extends Error {
  readonly [BRAND] = true
  readonly kind: ErrorKind
  /** stable string, e.g. E_CONFIG */
  readonly code: ErrorCode
  readonly exitCode: number
  readonly hint: string | undefined

  constructor(kind: ErrorKind, message: string, options: TransporterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'TransporterError'
    this.kind = kind
    this.code = ERROR_KINDS[kind].code
    this.exitCode = options.exitCode ?? ERROR_KINDS[kind].exitCode
    this.hint = options.hint
  }
}

export function isTransporterError(value: unknown): value is TransporterError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/** Bad flags, arguments or paths: always exit 22. */
export function usageError(message: string, hint?: string): TransporterError {
  return new TransporterError('usage', message, {hint})
}

/** A config file problem: always exit 22, before anything is copied. */
export function configError(message: string, hint?: string): TransporterError {
  return new TransporterError('config', message, {hint})
}

export function pluginError(message: string, hint?: string, cause?: unknown): TransporterError {
  return new TransporterError('plugin', message, {hint, cause})
}

export function destDirError(message: string, exitCode: ExitCode, options: {hint?: string; cause?: unknown} = {}): TransporterError {
  return new TransporterError('dest-dir', message, {exitCode, ...options})
}

export function mountError(message: string, exitCode: ExitCode, hint?: string): TransporterError {
  return new TransporterError('mount', message, {exitCode, hint})
}

export function splitError(message: string, exitCode: ExitCode, cause?: unknown): TransporterError {
  return new TransporterError('split', message, {exitCode, cause})
}

export function verifyError(message: string, hint?: string): TransporterError {
  return new TransporterError('verify', message, {hint})
}
