/**
 * Go `flag` semantics of the legacy form (spec §1.1) and where settings come
 * from (spec §1.2: flag > TRANSPORTER_* > config `copy:` > default). The fake
 * rsync's argv log shows what transporter understood.
 */
import {existsSync} from 'node:fs'
import {afterAll, describe, expect, test} from 'vitest'
import type {FakeRsync, FakeStep} from '../helpers/fake-rsync.js'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

/** A workspace with an empty source and a fake rsync that runs `steps`. */
const setup = (steps: FakeStep[] = [{}]) => scratch.withFake(steps)
const server = () => scratch.server()

const PARTNER = "missing required partner flag('progress' or 'stderr' miss partner 'report-addr')"

/** SRC and DEST as rsync received them. */
function paths(fake: FakeRsync): string[] {
  return fake.invocations().map((i) => i.argv.slice(-2).join(' '))
}

// Every rule of the Go flag parser and of settings precedence is checked in
// process (test/unit/go-flags.test.ts, copy-settings.test.ts); here, one or two
// cases per rule show the CLI wiring applies them.
describe.concurrent('Go flag syntax (spec §1.1)', () => {
  test.each([
    ['-name v', (s: string, d: string) => ['-src', s, '-dest', d]],
    ['-name=v', (s: string, d: string) => [`-src=${s}`, `-dest=${d}`]],
    ['copy -name v', (s: string, d: string) => ['copy', '-src', s, '-dest', d]],
    ['copy --name v (modern)', (s: string, d: string) => ['copy', '--src', s, '--dest', d]],
  ])('%s', async (_form, argv) => {
    const {ws, fake} = setup()
    const r = await runCopy([...argv(ws.src, ws.dest), '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(paths(fake)).toEqual([`${ws.src} ${ws.dest}`])
  })

  test.each(['f'])('-progress=%s is off: no partner flag needed', async (value) => {
    const {ws, fake} = setup()
    const r = await runCopy([`-progress=${value}`, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(0)
    expect(fake.invocations()).toHaveLength(1)
  })

  test.each(['-progress', '-progress=T'])('%s is on: needs -report-addr (22)', async (flag) => {
    const {ws, fake} = setup()
    const r = await runCopy([flag, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code).toBe(22)
    expect(r.stderr).toContain(PARTNER)
    expect(fake.invocations()).toEqual([])
  })

  test.each([['0x2', 2]])('int -retries %s means %d attempts', async (value, attempts) => {
    const {ws, fake} = setup([{exit: 11}])
    const r = await runCopy(['-retries', value, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code, r.stderr).toBe(5)
    expect(fake.invocations()).toHaveLength(attempts)
  })

  test('a negative int is a value, not a flag: -retries -5 is parsed as -5 (then refused), -report-interval -5 means 5 s', async () => {
    const {ws, fake} = setup()
    const bad = await runCopy(['-retries', '-5', '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(bad.code).toBe(22)
    expect(bad.stderr).toContain('-5')
    const ok = await runCopy(['-report-interval', '-5', '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(ok.code, ok.stderr).toBe(0)
    expect(fake.invocations()).toHaveLength(1)
  })

  test('a repeated flag: the last value wins', async () => {
    const {ws, fake} = setup()
    const r = await runCopy(
      ['-src', '/nowhere/else', '-progress', '-dest', '/nowhere/either', '-src', ws.src, '-progress=false', '-dest', ws.dest, '-rsync-path', fake.path],
      ws,
      {env: fake.env},
    )
    expect(r.code, r.stderr).toBe(0)
    expect(paths(fake)).toEqual([`${ws.src} ${ws.dest}`])
  })

  test.each([
    [['-json=false'], {TRANSPORTER_JSON: '1'}, ''],
    [['-json=0', '-json'], {}, '{'],
  ])('%j with env %j: stdout starts with %j', async (flags, env, start) => {
    const {ws, fake} = setup()
    const r = await runCopy([...flags, '-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: {...fake.env, ...env}})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.slice(0, 1)).toBe(start)
  })

  test('a non-bool flag takes the next argument even when it starts with -', async () => {
    const {ws, fake} = setup()
    const r = await runCopy(['-src', '-dest', '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code).toBe(22)
    expect(r.stderr).toContain('src path or dest path is empty or not absolute path')
    expect(r.stderr).toContain('"-dest"')
    expect(fake.invocations()).toEqual([])
  })

  test.each([['-h'], ['-src', '/a', '-h'], ['copy', '--help']])('%s prints the usage of copy and exits 0', async (...argv) => {
    const {ws} = setup()
    const r = await runCopy(argv, ws)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.stdout).toContain('--report-addr')
    expect(r.stdout).toContain('--dest-dir')
  })

  test("transporter --help alone is the CLI's help, listing copy", async () => {
    const {ws} = setup()
    const r = await runCopy(['--help'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^\s+copy\s/m)
  })

  test.each([
    ['leftover argument', (s: string, d: string) => ['-src', s, '-dest', d, 'extra'], 'unexpected argument "extra"'],
    ['unknown flag after copy', (s: string, d: string) => ['copy', '-src', s, '-dest', d, '--bogus=1'], 'flag provided but not defined: -bogus'],
    ['bad int', (s: string, d: string) => ['-src', s, '-dest', d, '-report-interval', 'ten'], 'invalid value "ten" for flag -report-interval'],
    // Go: a bool never takes the next argument, so `false` ends the flags and is left over
    ['bool with a separate value', (s: string, d: string) => ['-progress', 'false', '-src', s, '-dest', d], 'unexpected argument "false"'],
  ])('%s → 22, nothing copied', async (_what, argv, message) => {
    const {ws, fake} = setup()
    const args = argv(ws.src, ws.dest)
    const at = args[0] === 'copy' ? 1 : 0
    args.splice(at, 0, '-dest-dir', '-rsync-path', fake.path)
    const r = await runCopy(args, ws, {env: fake.env})
    expect(r.code).toBe(22)
    expect(r.stderr).toContain(message)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(fake.invocations()).toEqual([])
    expect(existsSync(ws.dest)).toBe(false)
  })
})

describe.concurrent('settings precedence: flag > TRANSPORTER_* > config > default (spec §1.2)', () => {
  test('src, dest and rsync path from the environment, legacy and modern forms', async () => {
    const {ws, fake} = setup()
    const env = {...fake.env, TRANSPORTER_SRC: ws.src, TRANSPORTER_DEST: ws.dest, TRANSPORTER_RSYNC_PATH: fake.path}
    const modern = await runCopy(['copy'], ws, {env})
    expect(modern.code, modern.stderr).toBe(0)
    const legacy = await runCopy(['-dest-dir'], ws, {env})
    expect(legacy.code, legacy.stderr).toBe(0)
    expect(paths(fake)).toEqual([`${ws.src} ${ws.dest}`, `${ws.src} ${ws.dest}`])
  })

  test('report-addr: config, then env over config, then flag over both', async () => {
    const {ws, fake} = setup([{progress: [[1, 1]]}])
    const [fromConfig, fromEnv, fromFlag] = await Promise.all([server(), server(), server()])
    writeConfig(ws, `copy:\n  progress: true\n  reportAddr: ${fromConfig.url}\n`)
    const base = ['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path]
    const env = {...fake.env, TRANSPORTER_REPORT_ADDR: fromEnv.url}

    expect((await runCopy(base, ws, {env: fake.env})).code).toBe(0)
    expect([fromConfig.requests.length, fromEnv.requests.length, fromFlag.requests.length]).toEqual([1, 0, 0])
    expect((await runCopy(base, ws, {env})).code).toBe(0)
    expect([fromConfig.requests.length, fromEnv.requests.length, fromFlag.requests.length]).toEqual([1, 1, 0])
    expect((await runCopy([...base, '-report-addr', fromFlag.url], ws, {env})).code).toBe(0)
    expect([fromConfig.requests.length, fromEnv.requests.length, fromFlag.requests.length]).toEqual([1, 1, 1])
  })

  test('config progress without a report addr anywhere fails validation like the flag (22)', async () => {
    const {ws, fake} = setup()
    writeConfig(ws, 'copy:\n  progress: true\n')
    const r = await runCopy(['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path], ws, {env: fake.env})
    expect(r.code).toBe(22)
    expect(r.stderr).toContain(PARTNER)
    expect(fake.invocations()).toEqual([])
  })

  test('a bad TRANSPORTER_ bool is a usage error (22)', async () => {
    const {ws, fake} = setup()
    const base = ['-src', ws.src, '-dest', ws.dest, '-rsync-path', fake.path]
    const bool = await runCopy(base, ws, {env: {...fake.env, TRANSPORTER_PROGRESS: 'maybe'}})
    expect(bool.code).toBe(22)
    expect(bool.stderr).toContain('TRANSPORTER_PROGRESS')
    expect(fake.invocations()).toEqual([])
  })
})
