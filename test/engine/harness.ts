/**
 * core.runCopy in process (no CLI start-up), with the default plugin's
 * retry policy and mount check and a reporter that records every event.
 */
import {mkdirSync} from 'node:fs'
import {afterAll} from 'vitest'
import register from '../../plugins/defaults/src/register.js'
import {SEED_RULES} from '../../src/core/classify/rules.js'
import {runCopy, type CopyComponents, type CopyRequest} from '../../src/core/run/copy.js'
import {StopController} from '../../src/core/run/stop.js'
import type {CopyEvent, Reporter, RunSettings, TransporterPlugin} from '../../src/plugin-api.js'
import {memoryLogger, testFactoryEnv} from '../../src/testing/env.js'
import {fakeRsync, type FakeRsync, type FakeStep} from '../helpers/fake-rsync.js'
import {cleanup, makeWorkspace, snapshotTree, type Workspace} from '../helpers/trees.js'

let plugin: Promise<TransporterPlugin> | undefined
const defaults = () => (plugin ??= register({} as never))
const spaces: Workspace[] = []
/** removed after the test file that made them */
afterAll(() => cleanup(...spaces.splice(0).map((w) => w.root)))

export function workspace(fill?: (src: string) => void): Workspace {
  const ws = makeWorkspace(fill)
  spaces.push(ws)
  return ws
}

export interface Harness {
  events: CopyEvent[]
  log: ReturnType<typeof memoryLogger>
  stop: StopController
  stderr: Buffer[]
  run: () => ReturnType<typeof runCopy>
}

/** A request like the CLI's, components from the default plugin, and a reporter that records every event. */
export async function harness(
  settings: Partial<RunSettings>,
  request: Partial<CopyRequest> = {},
  opts: {wantsProgress?: boolean; mountChecks?: boolean} = {},
): Promise<Harness> {
  const env = testFactoryEnv({settings})
  const events: CopyEvent[] = []
  const recorder: Reporter = {onEvent: (e) => void events.push(e), ...(opts.wantsProgress ? {wantsProgress: true} : {})}
  const components: CopyComponents = {
    reporters: [{id: 'recorder', reporter: recorder}],
    retryPolicy: await (await defaults()).retryPolicies!.default!.create({}, env),
    mountChecks: opts.mountChecks === false ? [] : [{id: 'statfs', check: await (await defaults()).mountChecks!.statfs!.create({}, env)}],
    classifyRules: [...SEED_RULES],
  }
  const req: CopyRequest = {
    settings: env.settings,
    destDir: false,
    rsyncPath: 'rsync',
    extraArgs: [],
    stderrTailBytes: 16 * 1024,
    graceMs: 2000,
    flushBudgetMs: 1000,
    parallel: 1,
    verify: false,
    ...request,
  }
  const log = memoryLogger()
  const stop = new StopController()
  const stderr: Buffer[] = []
  return {events, log, stop, stderr, run: () => runCopy(req, components, {log, stop, onStderr: (c) => void stderr.push(c)})}
}

export const types = (events: CopyEvent[]) => events.filter((e) => e.type !== 'progress').map((e) => e.type)
export const regularFiles = (root: string) => [...snapshotTree(root).values()].filter((e) => e.type === 'file').length

/** An empty source, an existing dest and the fake rsync running `steps` as the request's rsync. */
export async function withFake(
  steps: FakeStep[],
  settings: Partial<RunSettings> = {},
  request: Partial<CopyRequest> = {},
  opts: {wantsProgress?: boolean} = {},
): Promise<{ws: Workspace; fake: FakeRsync; h: Harness}> {
  const ws = workspace(() => {})
  mkdirSync(ws.dest)
  const fake = fakeRsync(ws.root, steps)
  const h = await harness({src: `${ws.src}/`, dest: ws.dest, ...settings}, {rsyncPath: fake.path, env: {...process.env, ...fake.env}, ...request}, opts)
  return {ws, fake, h}
}
