import type {RegisterOptions, TransporterPlugin} from 'transporter/plugin-api'
import {consoleReporter} from './console-reporter.js'
import {httpReporter} from './http-reporter.js'
import {mountpointCheck} from './mount-mountpoint.js'
import {statfsCheck} from './mount-statfs.js'
import {ndjsonReporter} from './ndjson-reporter.js'
import {backoffRetry} from './retry-backoff.js'
import {defaultRetry} from './retry-default.js'

/** Answers `transporter:register` with the components the Go tool had, and a few more. */
export default async function register(_opts: RegisterOptions): Promise<TransporterPlugin> {
  return {
    apiVersion: 1,
    reporters: {http: httpReporter, console: consoleReporter, ndjson: ndjsonReporter},
    retryPolicies: {default: defaultRetry, backoff: backoffRetry},
    mountChecks: {statfs: statfsCheck, mountpoint: mountpointCheck},
  } satisfies TransporterPlugin
}
