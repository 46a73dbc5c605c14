/**
 * One error family. The brand is a global symbol so that `isTransporterError`
 * works across copies of this module (plugins installed with their own copy).
 */
const BRAND = Symbol.for('transporter.error')

export type ErrorKind = 'usage' | 'config' | 'plugin' | 'mount' | 'rsync' | 'system'

export interface TransporterErrorOptions {
  exitCode: number
  hint?: string | undefined
  cause?: unknown
}

export class TransporterError extends Error {
  readonly [BRAND] = true
  readonly kind: ErrorKind
  readonly exitCode: number
  readonly hint: string | undefined

  constructor(kind: ErrorKind, message: string, options: TransporterErrorOptions) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'TransporterError'
    this.kind = kind
    this.exitCode = options.exitCode
    this.hint = options.hint
  }
}

export function isTransporterError(value: unknown): value is TransporterError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/** Bad flags, arguments or paths: always exit 22. */
export function usageError(message: string, hint?: string): TransporterError {
  return new TransporterError('usage', message, {exitCode: 22, hint})
}

/** A config file problem: always exit 22, before anything is copied. */
export function configError(message: string, hint?: string): TransporterError {
  return new TransporterError('config', message, {exitCode: 22, hint})
}

export function pluginError(message: string, hint?: string, cause?: unknown): TransporterError {
  return new TransporterError('plugin', message, {exitCode: 22, hint, cause})
}
