/**
 * `transporter/testing`: the conformance suites every component kind passes,
 * for plugin authors to run from their own vitest files (vitest is an
 * optional peer dependency of transporter; only this entry needs it).
 *
 *   import {describeReporterConformance, testFactoryEnv} from 'transporter/testing'
 */
export {describeReporterConformance, runEvents, type ReporterConformanceOptions} from './reporter.js'
export {describeRetryPolicyConformance, attempt, expectValidDecision, runUntilStop, type RetryPolicyConformanceOptions} from './retry-policy.js'
export {describeMountCheckConformance, type MountCheckConformanceOptions} from './mount-check.js'
export {describeClassifierConformance, type ClassifierConformanceOptions} from './classifier.js'
export {
  testFactoryEnv,
  memoryLogger,
  memorySink,
  statusMemorySink,
  byDeadline,
  type MemoryLogger,
  type MemorySink,
  type StatusMemorySink,
  type TestEnv,
  type TestEnvOverrides,
} from './env.js'
