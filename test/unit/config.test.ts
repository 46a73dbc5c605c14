import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/core/config/load.js'
import {isTransporterError} from '../../src/core/codes/errors.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'transporter-config-'))
  writeFileSync(join(dir, 'package.json'), '{"name": "project"}')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function write(name: string, text: string): string {
  const file = join(dir, name)
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  return file
}

async function configErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isTransporterError(error), 'expected a TransporterError').toBe(true)
  if (!isTransporterError(error)) return ''
  expect(error.kind).toBe('config')
  expect(error.exitCode).toBe(22)
  return error.message
}

describe('loadConfig: finding the file', () => {
  it('returns the built-in defaults when there is no config file', async () => {
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.filepath).toBeUndefined()
    expect(cfg.baseDir).toBe(dir)
    expect(cfg.reporters).toBeUndefined()
    expect(cfg.retry).toBeUndefined()
    expect(cfg.mountChecks).toBeUndefined()
    expect(cfg).toMatchObject({classify: {rules: []}, rsync: {extraArgs: []}, copy: {}, signals: {}, reports: {}})
  })

  it('reads a file in the cwd; its directory is the base for relative option paths', async () => {
    const file = write('.transporterrc.yaml', 'retry: [default, {maxAttempts: 7}]\n')
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.filepath).toBe(file)
    expect(cfg.baseDir).toBe(dir)
    expect(cfg.trusted).toBe(true)
    expect(cfg.retry).toEqual({id: 'default', options: {maxAttempts: 7}, path: 'retry'})
  })

  it.each([
    ['.transporterrc', 'retry: backoff\n'],
    ['.transporterrc.json', '{"retry": "backoff"}'],
    ['.transporterrc.yml', 'retry: backoff\n'],
    ['.transporterrc.mjs', 'export default {retry: "backoff"}\n'],
    ['.transporterrc.cjs', 'module.exports = {retry: "backoff"}\n'],
    ['transporter.config.mjs', 'export default {retry: "backoff"}\n'],
    ['transporter.config.cjs', 'module.exports = {retry: "backoff"}\n'],
  ])('reads %s', async (name, text) => {
    const file = write(name, text)
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.filepath).toBe(file)
    expect(cfg.retry?.id).toBe('backoff')
  })

  it('reads package.json#transporter', async () => {
    const file = write('package.json', JSON.stringify({name: 'p', transporter: {mountChecks: [['statfs', {allow: ['nfs']}]]}}))
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.filepath).toBe(file)
    expect(cfg.mountChecks).toEqual([{id: 'statfs', options: {allow: ['nfs']}, path: 'mountChecks[0]'}])
  })

  it('loads exactly the --config file, relative to cwd, whatever its extension', async () => {
    write('.transporterrc.yaml', 'retry: backoff\n')
    const file = write('conf/special.conf', 'retry: [default, {maxAttempts: 2}]\n')
    const cfg = await loadConfig({cwd: dir, file: 'conf/special.conf'})
    expect(cfg.filepath).toBe(file)
    expect(cfg.baseDir).toBe(join(dir, 'conf'))
    expect(cfg.retry?.options).toEqual({maxAttempts: 2})
  })

  it('a missing --config file is a config error naming it', async () => {
    const message = await configErrorOf(loadConfig({cwd: dir, file: 'nope.yaml'}))
    expect(message).toBe(`config ${join(dir, 'nope.yaml')}: file not found`)
  })

  it('an empty file is an empty config', async () => {
    const file = write('x.yaml', '')
    const cfg = await loadConfig({cwd: dir, file})
    expect(cfg.filepath).toBe(file)
    expect(cfg.reporters).toBeUndefined()
  })
})

describe('loadConfig: parse errors name the file and the problem', () => {
  it('invalid YAML', async () => {
    const file = write('.transporterrc.yaml', 'reporters: [console\n')
    const message = await configErrorOf(loadConfig({cwd: dir}))
    expect(message).toMatch(new RegExp(`^config ${file}: not valid YAML: .+ at line \\d+, column \\d+$`))
  })

  it('invalid JSON', async () => {
    const file = write('.transporterrc.json', '{"retry": }')
    const message = await configErrorOf(loadConfig({cwd: dir}))
    expect(message.startsWith(`config ${file}: not valid JSON: `)).toBe(true)
    expect(message).not.toContain('\n')
  })

  it('a JS config that throws', async () => {
    const file = write('transporter.config.mjs', 'throw new Error("boom in config")\n')
    const message = await configErrorOf(loadConfig({cwd: dir}))
    expect(message).toBe(`config ${file}: could not be loaded: boom in config`)
  })
})

describe('loadConfig: validation', () => {
  it('normalises every entry form and keeps the key path', async () => {
    write('.transporterrc.yaml', 'reporters: [console, [ndjson], [http, {timeoutMs: 100}], [x, null]]\nmountChecks: []\n')
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.reporters).toEqual([
      {id: 'console', options: {}, path: 'reporters[0]'},
      {id: 'ndjson', options: {}, path: 'reporters[1]'},
      {id: 'http', options: {timeoutMs: 100}, path: 'reporters[2]'},
      {id: 'x', options: {}, path: 'reporters[3]'},
    ])
    expect(cfg.mountChecks).toEqual([])
  })

  it('keeps every section it knows', async () => {
    write(
      '.transporterrc.yaml',
      [
        'classify: {rules: [{id: quota, codes: [23], errnos: [122], class: fatal, exitCode: 28, severity: 5, description: d}]}',
        'rsync: {path: /opt/rsync, extraArgs: [--bwlimit=10m], stderrTailBytes: 1024}',
        'copy: {reportAddr: "http://x/r", reportInterval: 3, progress: true, retries: 4, parallel: 2, progressBar: false}',
        'signals: {graceMs: 500}',
        'reports: {flushBudgetMs: 2000}',
      ].join('\n'),
    )
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.classify.rules).toEqual([{id: 'quota', codes: [23], errnos: [122], class: 'fatal', exitCode: 28, severity: 5, description: 'd'}])
    expect(cfg.rsync).toEqual({path: '/opt/rsync', extraArgs: ['--bwlimit=10m'], stderrTailBytes: 1024})
    expect(cfg.copy).toEqual({reportAddr: 'http://x/r', reportInterval: 3, progress: true, retries: 4, parallel: 2, progressBar: false})
    expect(cfg.signals).toEqual({graceMs: 500})
    expect(cfg.reports).toEqual({flushBudgetMs: 2000})
  })

  it('a section whose children are all commented out counts as absent', async () => {
    write('.transporterrc.yaml', 'reporters:\ncopy:\n  # retries: 3\n')
    const cfg = await loadConfig({cwd: dir})
    expect(cfg.reporters).toBeUndefined()
    expect(cfg.copy).toEqual({})
  })

  it.each([
    ['retry: 5', 'retry: expected an entry (id, [id] or [id, options]), found a number (5)'],
    ['retry: [default, {a: 1}, 3]', 'retry: expected an entry (id, [id] or [id, options]), found a list of 3 items'],
    ['retry: ""', 'retry: expected a component id, found an empty string'],
    ['reporters: console', 'reporters: expected a list, found a string ("console")'],
    ['reporters: [console, [http, 30]]', 'reporters[1]: expected the options of "http" as a mapping of keys ({key: value}), found a list of 2 items'],
    ['mountChecks: [[5]]', 'mountChecks[0]: expected an entry (id, [id] or [id, options]), found a list of 1 item'],
    ['plugins: [x]', 'unknown key "plugins", expected one of reporters, retry, mountChecks, classify, rsync, copy, signals, reports'],
    ['copy: {reportAdr: x}', 'copy: unknown key "reportAdr", expected one of destDir, progress, stderr, reportAddr,'],
    ['copy: {retries: 0}', 'copy.retries: expected a number ≥ 1, found a number (0)'],
    ['copy: {progress: "yes"}', 'copy.progress: expected true or false, found a string ("yes")'],
    ['rsync: {extraArgs: --delete}', 'rsync.extraArgs: expected a list, found a string ("--delete")'],
    [
      'classify: {rules: [{id: r, class: bad, exitCode: 3}]}',
      'classify.rules[0].class: expected one of ok, partial, vanished, retryable, fatal, usage, found a string ("bad")',
    ],
    ['classify: {rules: [{id: r, class: fatal, exitCode: 256}]}', 'classify.rules[0].exitCode: expected a number ≤ 255, found a number (256)'],
    ['classify: {rules: [{id: r, class: fatal, exitCode: 1.5}]}', 'classify.rules[0].exitCode: expected an integer, found a number (1.5)'],
    ['classify: {rules: [{class: fatal, exitCode: 2}]}', 'classify.rules[0].id: expected a string, found nothing'],
    ['classify: {rules: [{id: r, errno: [28], class: fatal, exitCode: 28}]}', 'classify.rules[0]: unknown key "errno", expected one of id, codes, errnos,'],
    ['- reporters', 'expected a mapping of keys (reporters, retry, mountChecks, ...), found a list of 1 item'],
  ])('%s', async (text, expected) => {
    const file = write('.transporterrc.yaml', `${text}\n`)
    const message = await configErrorOf(loadConfig({cwd: dir}))
    expect(message.startsWith(`config ${file}: ${expected}`), message).toBe(true)
  })

  it('says how many more problems there are', async () => {
    write('.transporterrc.yaml', 'retry: 5\nfoo: 1\n')
    const message = await configErrorOf(loadConfig({cwd: dir}))
    expect(message).toMatch(/\(and 1 more problem\)$/)
  })
})

describe('.transporterrc.example', () => {
  it('loads and reproduces the Go tool', async () => {
    const file = fileURLToPath(new URL('../../.transporterrc.example', import.meta.url))
    const cfg = await loadConfig({cwd: dir, file})
    expect(cfg.filepath).toBe(file)
    expect(cfg.reporters).toEqual([{id: 'http', options: {}, path: 'reporters[0]'}])
    expect(cfg.retry).toEqual({id: 'default', options: {maxAttempts: 3}, path: 'retry'})
    expect(cfg.mountChecks).toEqual([{id: 'statfs', options: {allow: ['nfs', 'lustre']}, path: 'mountChecks[0]'}])
    expect(cfg).toMatchObject({classify: {rules: []}, rsync: {extraArgs: []}, copy: {}, signals: {}, reports: {}})
  })

  it('every commented-out section is valid when enabled', async () => {
    const text = readFileSync(fileURLToPath(new URL('../../.transporterrc.example', import.meta.url)), 'utf8')
    // Uncomment each example block: a "# key:" line and the indented "#   ..." lines under it.
    let inBlock = false
    const enabled = text
      .split('\n')
      .map((line) => {
        if (/^# (classify|rsync|copy|signals|reports):\s*$/.test(line)) inBlock = true
        else if (!line.startsWith('#   ')) inBlock = false
        return inBlock ? line.slice(2) : line
      })
      .join('\n')
    const file = write('enabled.yaml', enabled)
    const cfg = await loadConfig({cwd: dir, file})
    expect(cfg.classify.rules).toHaveLength(1)
    expect(cfg.rsync).toEqual({path: '/usr/bin/rsync', extraArgs: ['--bwlimit=50m', '--exclude=*.tmp'], stderrTailBytes: 65536})
    expect(cfg.copy).toMatchObject({reportAddr: 'http://api/report', retries: 3, progressBar: true})
    expect(cfg.signals).toEqual({graceMs: 10000})
    expect(cfg.reports).toEqual({flushBudgetMs: 10000})
  })
})
