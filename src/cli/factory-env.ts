import type {TransporterConfig} from '../core/config/load.js'
import type {FactoryEnv, Logger, RunSettings, TextSink} from '../plugin-api.js'
import {streamSink} from './logger.js'

/**
 * The one FactoryEnv builder: what every factory gets, for `copy` and
 * `classify` alike (transporter's version, the config's directory, the run's
 * settings, the logger and the redacting sinks).
 */
export function factoryEnv(
  version: string,
  cfg: TransporterConfig,
  settings: RunSettings,
  log: Logger,
  sinks?: {stdout: TextSink; stderr: TextSink},
): FactoryEnv {
  const {stdout, stderr} = sinks ?? {stdout: streamSink(process.stdout), stderr: streamSink(process.stderr)}
  return {apiVersion: 1, version, baseDir: cfg.baseDir, settings, log, stdout, stderr, env: process.env}
}

/** `classify` runs no copy: settings that make every factory inert (no paths, no reports, dry run). */
export const NO_RUN_SETTINGS: RunSettings = Object.freeze({
  src: '',
  dest: '',
  reportIntervalMs: 5000,
  progress: false,
  stderr: false,
  quiet: true,
  json: false,
  dryRun: true,
  progressBar: false,
})
