import {afterAll, beforeAll} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../../helpers/capture-server.js'
import {Sandbox} from './sandbox.js'

export interface FaultSandbox {
  sb: Sandbox
  /** the file's capture server (started in beforeAll) */
  server: () => CaptureServer
  /** the JSON bodies posted to `<server>/<name>`, in order */
  reportsFor: (name: string) => Array<Record<string, unknown>>
}

/**
 * A fault test file's sandbox and report capture server: the server starts
 * before the file's tests; after them `beforeCleanup` runs (e.g. stopping
 * daemons that serve from the sandbox), then the server closes and the
 * sandbox (with its mounts) goes, even when a test failed.
 */
export function useFaultSandbox(prefix: string, beforeCleanup?: () => Promise<void>): FaultSandbox {
  const sb = new Sandbox(prefix)
  let server: CaptureServer | undefined
  beforeAll(async () => {
    server = await startCaptureServer()
  })
  afterAll(async () => {
    try {
      await beforeCleanup?.()
      await server?.close()
    } finally {
      sb.cleanup()
    }
  })
  const started = (): CaptureServer => {
    if (!server) throw new Error('the capture server starts in beforeAll; use it inside tests')
    return server
  }
  return {
    sb,
    server: started,
    reportsFor: (name) =>
      started()
        .requests.filter((r) => r.url.endsWith(`/${name}`))
        .map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>),
  }
}
