import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect} from 'vitest'
import register from '../../plugins/defaults/src/register.js'
import {startCaptureServer, type CaptureServer} from '../helpers/capture-server.js'
import {describeClassifierConformance} from '../../src/testing/classifier.js'
import {testFactoryEnv} from '../../src/testing/env.js'
import {describeMountCheckConformance} from '../../src/testing/mount-check.js'
import {describeReporterConformance} from '../../src/testing/reporter.js'
import {describeRetryPolicyConformance} from '../../src/testing/retry-policy.js'
import {ROOT} from '../helpers/run-cli.js'

// Every component the default plugin registers, and the fixture `ok` plugin,
// run the same suites a third-party plugin runs.
const defaults = await register({apiVersion: 1})
const okPlugin = (await import(join(ROOT, 'test/fixtures/plugins/ok/register.js'))) as {default: typeof register}
const ok = await okPlugin.default({apiVersion: 1})

let server: CaptureServer
let dir: string
beforeAll(async () => {
  server = await startCaptureServer()
  dir = mkdtempSync(join(tmpdir(), 'transporter-defaults-conformance-'))
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, {recursive: true, force: true})
})

// Written lines so far (none when a test delivered no event).
const linesOf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

const reportingEnv = (reportAddr: () => string) => () =>
  testFactoryEnv({settings: {reportAddr: reportAddr(), progress: true, stderr: true, reportIntervalMs: 50}})

const {reporters = {}, retryPolicies = {}, mountChecks = {}, classifiers = {}} = defaults

describeReporterConformance('defaults/http without report-addr', reporters.http!)
describeReporterConformance('defaults/http reporting to a live server', reporters.http!, {
  env: reportingEnv(() => server.url),
  options: {timeoutMs: 1000, retries: 1},
})
describeReporterConformance('defaults/http reporting to a closed port', reporters.http!, {
  env: reportingEnv(() => 'http://127.0.0.1:9/report'),
  options: {timeoutMs: 500, retries: 2},
})
describeReporterConformance('defaults/console', reporters.console!)
describeReporterConformance('defaults/console on a terminal', reporters.console!, {
  env: () => {
    const env = testFactoryEnv({settings: {progressBar: true}})
    ;(env.stderr as {isTTY: boolean}).isTTY = true
    return env
  },
})
describeReporterConformance('defaults/ndjson to stdout', reporters.ndjson!, {
  after: (env) => {
    for (const line of env.stdout.text.trim().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow()
  },
})
describeReporterConformance('defaults/ndjson to a file', reporters.ndjson!, {
  env: () => testFactoryEnv({baseDir: dir}),
  options: {file: 'events.ndjson'},
  after: () => {
    for (const line of linesOf(join(dir, 'events.ndjson'))) expect((JSON.parse(line) as {time?: unknown}).time).toEqual(expect.any(String))
  },
})
describeRetryPolicyConformance('defaults/default', retryPolicies.default!)
describeRetryPolicyConformance('defaults/default {vanished: fail}', retryPolicies.default!, {options: {vanished: 'fail', maxAttempts: 2}})
describeRetryPolicyConformance('defaults/backoff', retryPolicies.backoff!, {options: {initialDelayMs: 1, maxDelayMs: 5}})
describeMountCheckConformance('defaults/statfs', mountChecks.statfs!)
// The mountpoint check rejects the root filesystem by design: test it on a tmpfs.
describeMountCheckConformance('defaults/mountpoint', mountChecks.mountpoint!, {existingUnder: '/dev/shm'})
for (const [key, factory] of Object.entries(classifiers)) describeClassifierConformance(`defaults/${key}`, factory)

describeReporterConformance('fixture ok/events', ok.reporters!.events!, {
  env: () => testFactoryEnv({baseDir: dir}),
  options: {file: 'ok-events.ndjson'},
  after: () => {
    for (const line of linesOf(join(dir, 'ok-events.ndjson'))) expect(() => JSON.parse(line)).not.toThrow()
  },
})
describeClassifierConformance('fixture ok/rules', ok.classifiers!.rules!)
