import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

/** Every key of the outcome object (spec §8.4), for every outcome. */
const OUTCOME_KEYS = ['attempts', 'bytes', 'class', 'config', 'durationMs', 'exitCode', 'filesTotal', 'filesTransferred', 'reason', 'stderrTail', 'warnings']

function onlyObject(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l !== '')
  expect(lines, stdout).toHaveLength(1)
  const value = JSON.parse(lines[0]!) as Record<string, unknown>
  for (const key of OUTCOME_KEYS) expect(value, key).toHaveProperty(key)
  return value
}

describe('--json has one shape for every outcome, from either argv form (spec §8.4)', () => {
  it.concurrent.each([
    ['an unknown flag after copy', ['copy', '--json', '--bogus']],
    ['an unknown Go-style flag', ['-json', '-bogus', '-src', '/a', '-dest', '/b']],
    ['a Go-style flag without its value', ['-json', '-src']],
    ['a bad Go-style int', ['-json', '-report-interval', 'ten', '-src', '/a', '-dest', '/b']],
    ['a bad bool after copy', ['copy', '-json', '-progress=maybe']],
    ['a relative --src', ['copy', '--json', '--src', 'rel', '--dest', '/b']],
    ['TRANSPORTER_JSON=1 and an unknown flag', ['copy', '--bogus'], {TRANSPORTER_JSON: '1'}],
  ] as Array<[string, string[], Record<string, string>?]>)('%s → E_USAGE, exit 22', async (_what, args, env = {}) => {
    const ws = scratch.workspace()
    const r = await runCopy(args, ws, {env})
    expect(r.code).toBe(22)
    const out = onlyObject(r.stdout)
    expect(out).toMatchObject({exitCode: 22, class: 'usage', error: {code: 'E_USAGE'}, attempts: [], filesTransferred: 0})
    expect(typeof (out.error as {message: unknown}).message).toBe('string')
  })

  it('`-src -json` keeps Go semantics: -json is the path, so the error is text', async () => {
    const ws = scratch.workspace()
    const r = await runCopy(['-src', '-json'], ws)
    expect(r.code).toBe(22)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: /)
  })

  it.concurrent.each([
    ['does not parse: config null', 'retry: [nope\n', false],
    ['names an unknown component: config is the file', 'retry: [nope]\n', true],
  ])('a config that %s → E_CONFIG', async (_what, yaml, loaded) => {
    const ws = scratch.workspace()
    writeConfig(ws, yaml)
    const r = await runCopy(['copy', '--json', '--src', `${ws.src}/`, '--dest', ws.dest], ws)
    expect(r.code).toBe(22)
    expect(onlyObject(r.stdout)).toMatchObject({exitCode: 22, error: {code: 'E_CONFIG'}, config: loaded ? join(ws.cwd, '.transporterrc.yaml') : null})
  })

  it('a copy that succeeds and one that fails share the shape; the failure carries error', async () => {
    const ok = scratch.workspace()
    const good = onlyObject((await runCopy(['copy', '--json', '--src', `${ok.src}/`, '--dest', ok.dest], ok)).stdout)
    expect(good).toMatchObject({exitCode: 0, class: 'ok'})
    expect(good).not.toHaveProperty('error')

    const {ws, fake} = scratch.withFake([{exit: 30, stderr: 'rsync error: timeout in data send/receive (code 30)\n'}])
    const r = await runCopy(['copy', '--json', '--src', `${ws.src}/`, '--dest', ws.dest, '--rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code).toBe(255)
    const bad = onlyObject(r.stdout)
    expect(bad).toMatchObject({exitCode: 255, error: {code: 'E_RSYNC', message: expect.stringContaining('retry limit has been reached')}})
    expect(
      Object.keys(bad)
        .filter((k) => k !== 'error')
        .sort(),
    ).toEqual(Object.keys(good).sort())
  })
})
