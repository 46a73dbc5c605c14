/**
 * The package's main export is the engine (spec §15): importing it runs no
 * CLI, prints nothing, exits nothing, installs no handlers; and it copies.
 */
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/run-cli.js'

const work = mkdtempSync(join(tmpdir(), 'transporter-library-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))
// a consumer's project: `transporter` resolved through node_modules and the package's exports map
mkdirSync(join(work, 'node_modules'))
symlinkSync(ROOT, join(work, 'node_modules', 'transporter'))

interface Child {
  code: number | null
  stdout: string
  stderr: string
}

async function runScript(name: string, source: string, args: string[] = []): Promise<Child> {
  const file = join(work, name)
  writeFileSync(file, source)
  const env: NodeJS.ProcessEnv = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  try {
    const {stdout, stderr} = await promisify(execFile)(process.execPath, [file, ...args], {cwd: work, env})
    return {code: 0, stdout, stderr}
  } catch (error) {
    const e = error as {code: number | null; stdout: string; stderr: string}
    return {code: e.code, stdout: e.stdout, stderr: e.stderr}
  }
}

describe('import "transporter"', () => {
  it('has no side effects: nothing printed, no exit, no handlers, argv untouched', async () => {
    // argv that the CLI would act on (and exit 22 for): a library must ignore it
    const r = await runScript(
      'import-only.mjs',
      `const watched = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'uncaughtException', 'unhandledRejection', 'beforeExit']
const before = watched.map((e) => process.listenerCount(e))
const execArgv = [...process.execArgv]
const lib = await import('transporter')
const after = watched.map((e) => process.listenerCount(e))
process.stdout.write(JSON.stringify({
  handlers: after.map((n, i) => n - before[i]),
  exitCode: process.exitCode ?? null,
  execArgv: JSON.stringify(process.execArgv) === JSON.stringify(execArgv),
  exports: Object.keys(lib).sort(),
}))
`,
      ['copy', '--src', 'relative', '--bogus'],
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {handlers: number[]; exitCode: number | null; execArgv: boolean; exports: string[]}
    expect(out.handlers).toEqual([0, 0, 0, 0, 0, 0, 0])
    expect(out.exitCode).toBeNull()
    expect(out.execArgv).toBe(true)
    expect(out.exports).toEqual(
      expect.arrayContaining(['API_VERSION', 'runCopy', 'classify', 'loadConfig', 'StopController', 'SEED_RULES', 'TransporterError', 'EXIT_CODES']),
    )
  })

  it('runCopy copies a tree with components the caller passes, and classify names an rsync result', async () => {
    const src = join(work, 'src')
    mkdirSync(join(src, 'sub'), {recursive: true})
    writeFileSync(join(src, 'a.txt'), 'alpha\n')
    writeFileSync(join(src, 'sub', 'b.txt'), 'beta\n')
    const dest = join(work, 'dest')
    const r = await runScript(
      'copy.mjs',
      `import {runCopy, classify, StopController, SEED_RULES} from 'transporter'
const events = []
const log = {debug() {}, info() {}, warn() {}, error() {}}
const settings = {src: ${JSON.stringify(`${src}/`)}, dest: ${JSON.stringify(dest)}, reportIntervalMs: 5000, progress: false, stderr: false, quiet: true, json: false, dryRun: false, progressBar: false}
const outcome = await runCopy(
  {settings, destDir: true, rsyncPath: 'rsync', extraArgs: [], stderrTailBytes: 65536, graceMs: 2000, flushBudgetMs: 1000, parallel: 1, verify: false},
  {reporters: [{id: 'mine', reporter: {onEvent: (e) => events.push(e)}}], retryPolicy: {decide: () => ({retry: false})}, mountChecks: [], classifyRules: SEED_RULES},
  {log, stop: new StopController()},
)
const verdict = classify({code: 23, stderr: 'rsync: [receiver] mkstemp "/x" failed: Permission denied (13)\\n'})
process.stdout.write(JSON.stringify({exitCode: outcome.exitCode, done: events.find((e) => e.type === 'done'), progress: events.filter((e) => e.type === 'progress').length, verdict}))
`,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {exitCode: number; done: Record<string, unknown>; progress: number; verdict: {exitCode: number}}
    expect(out.exitCode).toBe(0)
    // no reporter wants progress: no progress events, yet the done event has rsync's real counts
    expect(out.progress).toBe(0)
    expect(out.done).toMatchObject({type: 'done', exitCode: 0, filesTransferred: 2, filesTotal: 4, bytes: 11})
    expect(out.verdict.exitCode).toBe(13)
    expect(readFileSync(join(dest, 'sub', 'b.txt'), 'utf8')).toBe('beta\n')
  })
})
