import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startCaptureServer, type CaptureOptions, type CaptureServer} from '../helpers/capture-server.js'
import {fakeRsync, type FakeRsync, type FakeStep} from '../helpers/fake-rsync.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'
import {cleanup, makeWorkspace, type Workspace} from '../helpers/trees.js'

export interface CopyRunOptions {
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

/**
 * Runs the built CLI in the workspace's cwd. NODE_EXTRA_CA_CERTS only slows
 * every Node start (reports go to 127.0.0.1), and TRANSPORTER_* from the
 * outer environment must not leak into the run under test.
 */
export function runCopy(args: string[], ws: Workspace, options: CopyRunOptions = {}): Promise<CliResult> {
  // the user's own ~/.config/transporter must not change the run either
  const clean: Record<string, string | undefined> = {NODE_EXTRA_CA_CERTS: undefined, XDG_CONFIG_HOME: join(ws.root, 'xdg-config')}
  for (const key of Object.keys(process.env)) if (key.startsWith('TRANSPORTER_') && key !== 'TRANSPORTER_SKIP_BUILD') clean[key] = undefined
  return runCli(args, {cwd: ws.cwd, env: {...clean, ...options.env}, ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {})})
}

/** A `.transporterrc.yaml` in the run's cwd. */
export function writeConfig(ws: Workspace, yaml: string): void {
  writeFileSync(join(ws.cwd, '.transporterrc.yaml'), yaml)
}

/** The bytes of a progress report as the Go tool encoded it. */
export function progressBody(current: number, total: number): string {
  return `{"current_count":${current},"total_count":${total},"message":"","errcode":0,"reason":""}`
}

/**
 * Workspaces, fakes and report servers a test file creates, removed when the
 * file is done (tests run concurrently, so not after each test).
 */
export interface Scratch {
  workspace(fill?: (src: string) => void): Workspace
  /** a workspace (empty source unless `fill`) and a fake rsync running `steps` */
  withFake(steps: FakeStep[], fill?: (src: string) => void): {ws: Workspace; fake: FakeRsync}
  server(options?: CaptureOptions): Promise<CaptureServer>
  dispose(): Promise<void>
}

export function createScratch(): Scratch {
  const spaces: Workspace[] = []
  const servers: CaptureServer[] = []
  const workspace = (fill?: (src: string) => void) => {
    const ws = makeWorkspace(fill)
    spaces.push(ws)
    return ws
  }
  return {
    workspace,
    withFake(steps, fill = () => {}) {
      const ws = workspace(fill)
      return {ws, fake: fakeRsync(ws.root, steps)}
    },
    async server(options) {
      const srv = await startCaptureServer(options)
      servers.push(srv)
      return srv
    },
    async dispose() {
      await Promise.all(servers.splice(0).map((s) => s.close()))
      cleanup(...spaces.splice(0).map((w) => w.root))
    },
  }
}
