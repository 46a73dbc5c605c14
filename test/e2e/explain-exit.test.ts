import {describe, expect, it} from 'vitest'
import {EXIT_NAMES, SIGNAL_EXIT_NAMES} from '../helpers/exit-tables.js'
import {runCli} from '../helpers/run-cli.js'

const CODES = [...EXIT_NAMES, ...SIGNAL_EXIT_NAMES]

describe('transporter explain-exit <code>', () => {
  // every code's text is checked in process (test/unit/exit-codes.test.ts)
  it.concurrent.each(CODES.filter(([code]) => [0, 13, 143].includes(code)))('%i explains %s', async (code, name) => {
    const r = await runCli(['explain-exit', String(code)])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe(`${code} ${name}`)
    expect(r.stdout).toContain('Usual causes:')
    expect(r.stdout).toContain('What to check:')
  })

  it.concurrent.each(CODES.filter(([code]) => [0, 28, 143].includes(code)))('%i --json', async (code, name) => {
    const r = await runCli(['explain-exit', String(code), '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {code: number; name: string; causes: string[]; next: string[]}
    expect(out).toMatchObject({code, name})
    expect(out.causes.length).toBeGreaterThan(0)
  })

  it('0 carries the seed message', async () => {
    const r = await runCli(['explain-exit', '0'])
    expect(r.stdout).toContain('Message: process succeed complete with exit code 0')
  })

  it.concurrent.each([
    [['7'], /7 is not a transporter exit code/],
    [['abc'], /must be an integer/],
    [[], /missing exit code/],
    [['2', '--all'], /give one of/],
    [['--rsync', '7'], /7 is not an exit code rsync documents/],
    [['--bogus'], /Nonexistent flag/],
  ])('%j exits 22 with one line and a hint', async (args, message) => {
    const r = await runCli(['explain-exit', ...args])
    expect(r.code).toBe(22)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(message)
    expect(lines[1]).toMatch(/^Hint: /)
  })

  it("an rsync code given as a transporter code is explained as rsync's, saying transporter never exits with it", async () => {
    const r = await runCli(['explain-exit', '23'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^23 is not a transporter exit code; transporter never exits with it/)
    expect(r.stdout).toContain('rsync 23 RERR_PARTIAL')
    const viaRsync = await runCli(['explain-exit', '--rsync', '23'])
    expect(r.stdout).toContain(viaRsync.stdout)
    const json = await runCli(['explain-exit', '23', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({
      code: 23,
      transporter: null,
      rsync: JSON.parse((await runCli(['explain-exit', '--rsync', '23', '--json'])).stdout),
    })
  })

  it('answers the same with and without the fast path (oclif parses `--json` before the code too)', async () => {
    for (const args of [['28'], ['28', '--json'], ['23'], ['143', '--json']]) {
      const fast = await runCli(['explain-exit', ...args])
      const slow = await runCli(['explain-exit', ...args.reverse(), '--'].filter((a) => a !== '--'))
      expect(fast.stdout).toBe(slow.stdout)
    }
  })

  it('an unknown code under --json is a JSON error', async () => {
    const r = await runCli(['explain-exit', '999', '--json'])
    expect(r.code).toBe(22)
    expect(JSON.parse(r.stdout)).toMatchObject({exitCode: 22, error: {code: 'E_USAGE', message: '999 is not a transporter exit code'}})
  })
})

describe('transporter explain-exit --rsync <code>', () => {
  it('23: partial, retried, exit 13, with the errno refinements', async () => {
    const r = await runCli(['explain-exit', '--rsync', '23'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('rsync 23 RERR_PARTIAL')
    expect(r.stdout).toContain('class partial, retried: yes, exit 13 ErrPermissionDenied')
    expect(r.stdout).toMatch(/errno 28 ENOSPC\s+class fatal\s+retried: no\s+exit 28/)
  })

  it('--json matches the classifier', async () => {
    const r = await runCli(['explain-exit', '--rsync', '11', '--json'])
    const out = JSON.parse(r.stdout) as {class: string; retried: boolean; exitCode: number; refinements: Array<{errno: number; exitCode: number}>}
    expect(out).toMatchObject({class: 'retryable', retried: true, exitCode: 5})
    expect(out.refinements.map((f) => [f.errno, f.exitCode])).toEqual(
      expect.arrayContaining([
        [28, 28],
        [122, 28],
        [30, 30],
        [36, 36],
        [13, 13],
        [1, 13],
        [2, 2],
        [16, 16],
        [5, 5],
        [116, 5],
      ]),
    )
  })

  it.concurrent.each([['--rsync', '-1'], ['--rsync=-11'], ['--rsync', '-12']])('negative codes: %s %s', async (...args) => {
    const r = await runCli(['explain-exit', ...args, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({class: 'retryable', exitCode: 255})
  })
})

describe('transporter explain-exit --all', () => {
  it('prints both tables', async () => {
    const r = await runCli(['explain-exit', '--all'])
    expect(r.code).toBe(0)
    for (const [, name] of CODES) expect(r.stdout).toContain(name)
    expect(r.stdout).toMatch(/^\s+23\s+RERR_PARTIAL\s+partial\s+yes\s+13/m)
  })

  it('--json lists every code', async () => {
    const r = await runCli(['explain-exit', '--all', '--json'])
    const out = JSON.parse(r.stdout) as {transporter: Array<{code: number}>; rsync: Array<{code: number; exitCode: number}>}
    expect(out.transporter.map((e) => e.code)).toEqual(expect.arrayContaining([0, 2, 5, 13, 16, 22, 28, 30, 36, 255, 143]))
    expect(out.rsync.find((e) => e.code === 3)?.exitCode).toBe(2)
    expect(out.rsync).toHaveLength(31)
  })

  it('--help has a description and examples', async () => {
    const r = await runCli(['explain-exit', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('EXAMPLES')
    expect(r.stdout).toContain('--rsync')
  })
})

describe('transporter explain-exit: the error codes of --json (spec §8.4)', () => {
  it('--all lists every error code', async () => {
    const r = await runCli(['explain-exit', '--all'])
    expect(r.code).toBe(0)
    for (const code of ['E_USAGE', 'E_CONFIG', 'E_PLUGIN', 'E_MOUNT', 'E_DEST_DIR', 'E_SPLIT', 'E_RSYNC', 'E_VERIFY', 'E_SIGNAL', 'E_INTERNAL']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'))
    }
  })

  it('explains one error code, and refuses an unknown one with 22', async () => {
    const known = await runCli(['explain-exit', 'E_CONFIG'])
    expect(known.code).toBe(0)
    expect(known.stdout).toMatch(/^E_CONFIG: the config file is missing, refused/)
    const json = await runCli(['explain-exit', 'e_mount', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({code: 'E_MOUNT', class: 'fatal'})
    const unknown = await runCli(['explain-exit', 'E_NOPE'])
    expect(unknown.code).toBe(22)
    expect(unknown.stderr).toContain('E_NOPE is not a transporter error code')
  })
})
