import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {CopyEvent, Reporter} from 'transporter/plugin-api'
import {afterEach, describe, expect, it} from 'vitest'
import {ndjsonReporter} from '../src/ndjson-reporter.js'
import {testEnv} from './reporter-env.js'

const events: CopyEvent[] = [
  {type: 'start', runId: 'run-1', src: '/src/', dest: '/dest'},
  {type: 'attempt-start', attempt: 1},
  {type: 'progress', attempt: 1, filesTransferred: 1, filesTotal: 4},
  {type: 'progress', attempt: 1, filesTransferred: 2, filesTotal: 4, bytes: 2048},
  {type: 'attempt-end', attempt: 1, code: 23, reason: 'exit status 23', class: 'partial', stderrTail: 'rsync: <x> "y"\n'},
  {type: 'retry', attempt: 1, delayMs: 10, counted: true},
  {type: 'done', exitCode: 13, class: 'partial', filesTransferred: 2, filesTotal: 4, bytes: 2048, durationMs: 42, stderrTail: 'e', reason: 'exit status 23'},
]

async function run(reporter: Reporter): Promise<void> {
  for (const e of events) void reporter.onEvent(e)
  await reporter.flush?.(Date.now() + 1000)
}

function parseLines(text: string): Array<Record<string, unknown>> {
  expect(text.endsWith('\n')).toBe(true)
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

function expectEvents(records: Array<Record<string, unknown>>, from = 0): void {
  expect(records.length - from).toBe(events.length)
  events.forEach((event, i) => {
    const {time, rate, ...rest} = records[from + i] ?? {}
    expect(rest).toEqual(event)
    expect(new Date(String(time)).toISOString()).toBe(time)
    if (event.type === 'progress' && event.bytes !== undefined) expect(rate).toEqual(expect.any(Number))
    else expect(rate).toBeUndefined()
  })
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ndjson-reporter-'))
  dirs.push(d)
  return d
}

describe('ndjson reporter', () => {
  it('writes each event as one JSON line with time (and rate for progress with bytes) to stdout', async () => {
    const env = testEnv()
    await run(await ndjsonReporter.create(undefined, env))
    expectEvents(parseLines(env.stdout.text))
    expect(env.stderr.text).toBe('')
  })

  it('appends to the file option, resolved against the config directory', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'events.ndjson'), '{"earlier":true}\n')
    const env = testEnv({}, {baseDir: dir})
    await run(await ndjsonReporter.create({file: 'events.ndjson'}, env))
    const records = parseLines(readFileSync(join(dir, 'events.ndjson'), 'utf8'))
    expect(records[0]).toEqual({earlier: true})
    expectEvents(records, 1)
    expect(env.stdout.text).toBe('')
  })

  it('writes nothing after flush', async () => {
    const dir = tempDir()
    const reporter = await ndjsonReporter.create({file: join(dir, 'e.ndjson')}, testEnv())
    await run(reporter)
    void reporter.onEvent({type: 'attempt-start', attempt: 9})
    expect(parseLines(readFileSync(join(dir, 'e.ndjson'), 'utf8'))).toHaveLength(events.length)
  })

  it('fails at creation when the file cannot be opened, naming it', () => {
    const dir = tempDir()
    expect(() => ndjsonReporter.create({file: 'missing/e.ndjson'}, testEnv({}, {baseDir: dir}))).toThrow(
      `ndjson reporter: cannot open "${join(dir, 'missing/e.ndjson')}" for appending`,
    )
  })

  it.runIf(process.platform === 'linux')('logs a write failure once (a full disk: /dev/full) and stops writing', async () => {
    const env = testEnv()
    await run(await ndjsonReporter.create({file: '/dev/full'}, env))
    expect(env.log.lines).toEqual([expect.stringMatching(/^warn ndjson reporter: cannot write to \/dev\/full: .*ENOSPC.*no further events are written$/)])
  })

  it('keeps stdout for the --json result and says where events could go', async () => {
    const env = testEnv({json: true})
    await run(await ndjsonReporter.create({}, env))
    expect(env.stdout.text).toBe('')
    expect(env.log.lines).toEqual([expect.stringMatching(/^warn ndjson reporter: stdout is reserved for the --json result.*`file` option/)])
  })

  it.each([
    [{path: 'x'}, /reporter 'ndjson': unknown option 'path' \(known options: file\)/],
    [{file: 5}, /reporter 'ndjson': option 'file' must be a non-empty string, got 5/],
    [{file: ''}, /option 'file' must be a non-empty string, got ""/],
  ])('rejects %j', (options, message) => {
    expect(() => ndjsonReporter.create(options, testEnv())).toThrow(message)
  })
})
