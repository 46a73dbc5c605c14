import type {RunSettings} from 'transporter/plugin-api'
import {afterEach} from 'vitest'
import {testFactoryEnv, type TestEnv, type TestEnvOverrides} from '../../../src/testing/env.js'
import {type CaptureOptions, type CaptureServer, startCaptureServer} from '../../../test/helpers/capture-server.js'

export type {TestEnv}

/** The conformance env with the paths these tests' events use and the bar allowed (it shows only on a terminal). */
export function testEnv(settings: Partial<RunSettings> = {}, extra: Omit<TestEnvOverrides, 'settings'> = {}): TestEnv {
  return testFactoryEnv({...extra, settings: {src: '/src/', dest: '/dest', progressBar: true, ...settings}})
}

export {waitFor} from '../../../test/helpers/wait.js'

/** Capture servers for one test file, all closed after each test. */
export function captureServers(): (options?: CaptureOptions) => Promise<CaptureServer> {
  const open: CaptureServer[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (options = {}) => {
    const s = await startCaptureServer(options)
    open.push(s)
    return s
  }
}
