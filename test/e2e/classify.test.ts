import {describe, expect, it} from 'vitest'
import {loadSamples, SPEC_TABLE} from '../helpers/exit-tables.js'
import {runCli} from '../helpers/run-cli.js'

interface Out {
  code: number
  signal?: string
  class: string
  retried: boolean
  exitCode: number
  errno: number | null
  errnoName: string | null
  rule: string
  reason: string
  description: string
}

async function classifyJson(args: string[], input?: string): Promise<Out> {
  const r = await runCli(['classify', ...args, '--json'], input === undefined ? {} : {input})
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as Out
}

// The whole spec §6 table, every recorded stderr sample and the reason texts are
// checked in process (test/unit/classify*.test.ts); here one case per wiring path.
describe('transporter classify: spec §6 through the built CLI', () => {
  it.concurrent.each(SPEC_TABLE.filter((r) => [0, 23, 24, 11].includes(r.code)))('classify $code → $cls, exit $exit', async ({code, cls, exit}) => {
    const out = await classifyJson([String(code)])
    expect(out).toMatchObject({code, class: cls, exitCode: exit, retried: ['partial', 'vanished', 'retryable'].includes(cls)})
    expect(out.reason).toBe(`exit status ${code}`)
  })

  it('accepts a negative code after --', async () => {
    const r = await runCli(['classify', '--json', '--', '-11'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      code: -11,
      class: 'retryable',
      exitCode: 255,
      rule: 'code:-11',
      reason: 'fork/exec rsync: no such file or directory',
    })
  })
})

describe('transporter classify: real rsync stderr', () => {
  it.concurrent.each(loadSamples().filter((s) => ['permission-new-dir.txt', 'source-missing.txt'].includes(s.file)))(
    '$file (rsync $code) → exit $expect.exitCode',
    async (s) => {
      const out = await classifyJson([String(s.code), '--stderr-file', s.path])
      expect(out).toMatchObject({class: s.expect.class, exitCode: s.expect.exitCode, errno: s.expect.errno ?? null})
      expect(out.retried).toBe(['partial', 'vanished', 'retryable'].includes(s.expect.class))
      if (s.expect.errno !== undefined) expect(out.rule).toMatch(new RegExp(`^errno:${s.expect.errno} E[A-Z]+$`))
    },
  )

  it('reads stderr from stdin with --stderr -', async () => {
    const sample = loadSamples().find((s) => s.file === 'no-space.txt')!
    const out = await classifyJson(['11', '--stderr', '-'], sample.stderr)
    expect(out).toMatchObject({class: 'fatal', retried: false, exitCode: 28, errno: 28, errnoName: 'ENOSPC', rule: 'errno:28 ENOSPC'})
  })

  it('prints the decision as text', async () => {
    const sample = loadSamples().find((s) => s.file === 'readonly-existing-dir.txt')!
    const r = await runCli(['classify', '23', '--stderr-file', sample.path])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^class:\s+fatal$/m)
    expect(r.stdout).toMatch(/^retried:\s+no$/m)
    expect(r.stdout).toMatch(/^exit code:\s+30 ErrFileSystemIsReadOnly$/m)
    expect(r.stdout).toMatch(/^errno:\s+30 EROFS$/m)
    expect(r.stdout).toMatch(/^rule:\s+errno:30 EROFS$/m)
    expect(r.stdout).toMatch(/^reason:\s+exit status 23$/m)
  })
})

describe('transporter classify: signals', () => {
  it.concurrent.each([['signal:9', 'SIGKILL', 'signal: killed']])('%s', async (arg, signal, reason) => {
    const out = await classifyJson([arg])
    expect(out).toMatchObject({code: -1, signal, reason, class: 'retryable', retried: true, exitCode: 255, rule: 'signal'})
  })
})

describe('transporter classify: usage errors exit 22 with one line and a hint', () => {
  it.concurrent.each([
    [['abc'], /must be an integer/],
    [[], /Missing 1 required arg/],
    [['23', '--bogus'], /Nonexistent flag: --bogus/],
    [['23', '--stderr-file', '/nonexistent/x'], /cannot read --stderr-file/],
    [['23', '--stderr-file', 'a', '--stderr', 'b'], /cannot also be provided/],
  ])('classify %j', async (args, message) => {
    const r = await runCli(['classify', ...args])
    expect(r.code).toBe(22)
    expect(r.stdout).toBe('')
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^Error: /)
    expect(lines[0]).toMatch(message)
    expect(lines[1]).toMatch(/^Hint: /)
  })

  it('--json puts the error on stdout as one object', async () => {
    const r = await runCli(['classify', 'abc', '--json'])
    expect(r.code).toBe(22)
    const out = JSON.parse(r.stdout) as {exitCode: number; class: string; error: {code: string; message: string; hint: string}}
    expect(out).toMatchObject({exitCode: 22, class: 'usage', error: {code: 'E_USAGE'}})
    expect(out.error.message).toMatch(/must be an integer/)
    expect(out.error.hint).not.toBe('')
  })

  it('shows the stack only with TRANSPORTER_DEBUG=1', async () => {
    const quiet = await runCli(['classify', 'abc'])
    expect(quiet.stderr).not.toMatch(/\n\s+at /)
    const debug = await runCli(['classify', 'abc'], {env: {TRANSPORTER_DEBUG: '1'}})
    expect(debug.code).toBe(22)
    expect(debug.stderr).toMatch(/\n\s+at /)
  })
})

describe('classify with config rules', () => {
  it('applies a config file rule the same way copy would, and names it', async () => {
    const {mkdtempSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'classify-config-'))
    writeFileSync(join(dir, 'package.json'), '{"name":"x","private":true}\n')
    writeFileSync(join(dir, '.transporterrc.yaml'), 'classify:\n  rules:\n    - {id: strict-23, codes: [23], class: fatal, exitCode: 13}\n')
    const found = await runCli(['classify', '23', '--json'], {cwd: dir})
    expect(found.code).toBe(0)
    expect(JSON.parse(found.stdout)).toMatchObject({class: 'fatal', retried: false, exitCode: 13, rule: 'strict-23'})
    const missing = await runCli(['classify', '23', '--config', join(dir, 'nope.yaml')], {cwd: dir})
    expect(missing.code).toBe(22)
    expect(missing.stderr).toContain('nope.yaml')
  })
})
