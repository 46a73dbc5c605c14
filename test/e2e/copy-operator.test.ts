import {existsSync, mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {diffTrees, makeManyFiles} from '../helpers/trees.js'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

/** src/keep.txt, src/drop.tmp, src/logs/a.log, src/logs/keep.log */
function filterTree(src: string): void {
  writeFileSync(join(src, 'keep.txt'), 'k\n')
  writeFileSync(join(src, 'drop.tmp'), 'd\n')
  mkdirSync(join(src, 'logs'))
  writeFileSync(join(src, 'logs', 'a.log'), 'a\n')
  writeFileSync(join(src, 'logs', 'keep.log'), 'k\n')
}

describe('rsync options an operator reaches for first, on the command line (spec §1.2)', () => {
  it.concurrent.each([
    [
      'copy form',
      (src: string, dest: string) => [
        'copy',
        '--src',
        `${src}/`,
        '--dest',
        dest,
        '--include',
        'keep.log',
        '--exclude',
        '*.log',
        '--exclude=*.tmp',
        '--bwlimit',
        '100m',
      ],
    ],
    [
      'Go-style form',
      (src: string, dest: string) => ['-include', 'keep.log', '-exclude', '*.log', '-exclude=*.tmp', '-bwlimit=100m', '-src', `${src}/`, '-dest', dest],
    ],
  ])('--include/--exclude keep their order, as in rsync (%s)', async (_form, args) => {
    const ws = scratch.workspace(filterTree)
    const r = await runCopy([...args(ws.src, ws.dest), '-v'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(join(ws.dest, 'keep.txt'))).toBe(true)
    expect(existsSync(join(ws.dest, 'logs', 'keep.log'))).toBe(true)
    expect(existsSync(join(ws.dest, 'logs', 'a.log'))).toBe(false)
    expect(existsSync(join(ws.dest, 'drop.tmp'))).toBe(false)
    // rsync got exactly these, in this order, after transporter's own options
    expect(r.stderr).toContain('"--filter=+ keep.log" "--filter=- *.log" "--filter=- *.tmp" "--bwlimit=100m" "--"')
  })

  it('the command line rules come before the config rules (the first match wins)', async () => {
    const ws = scratch.workspace(filterTree)
    writeConfig(ws, 'rsync: {extraArgs: ["--exclude=*.txt"]}\n')
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--include', 'keep.txt'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(join(ws.dest, 'keep.txt'))).toBe(true)
  })

  it('a filter with --parallel or with two shards copies what the plain copy copies', async () => {
    const ws = scratch.workspace(filterTree)
    // an old mtime on the source itself: a dest whose times nobody set cannot match it by luck of the clock
    utimesSync(ws.src, 1_000_000_000, 1_000_000_000)
    const plain = join(ws.root, 'plain')
    const filters = ['--exclude', '*.tmp', '--exclude', 'logs/']
    expect((await runCopy(['copy', '--src', `${ws.src}/`, '--dest', plain, ...filters], ws)).code).toBe(0)
    expect(existsSync(join(plain, 'drop.tmp')) || existsSync(join(plain, 'logs'))).toBe(false)
    const parallel = join(ws.root, 'parallel')
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', parallel, ...filters, '--parallel', '2'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(plain, parallel, {allTimes: true})).toEqual([])
    const sharded = join(ws.root, 'sharded')
    const shards = await Promise.all(['0/2', '1/2'].map((i) => runCopy(['copy', '--src', `${ws.src}/`, '--dest', sharded, ...filters, '--shard', i], ws)))
    expect(shards.map((s) => s.code)).toEqual([0, 0])
    expect(diffTrees(plain, sharded, {allTimes: true})).toEqual([])
  })
})

describe('log levels and the end-of-run summary (spec §8.4)', () => {
  it('a run ends with one summary line: files, bytes, duration, rate, attempts, exit code', async () => {
    const ws = scratch.workspace(filterTree)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest], ws)
    expect(r.code).toBe(0)
    const last = r.stderr.trimEnd().split('\n').at(-1)
    expect(last).toMatch(/ INFO {2}summary: 4\/6 files, 8 B, \d+\.\d s, (\d+(\.\d)? [kMG]?B\/s|-), 1 attempt, exit 0$/)
  })

  it.concurrent.each([
    ['--log-level warn', ['--log-level', 'warn'], {}],
    ['-log-level=error (Go-style)', ['-log-level=error'], {}],
    ['TRANSPORTER_LOG_LEVEL=warn', [], {TRANSPORTER_LOG_LEVEL: 'warn'}],
  ] as Array<[string, string[], Record<string, string>]>)('%s hides INFO lines', async (_how, extra, env) => {
    const ws = scratch.workspace(filterTree)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, ...extra], ws, {env})
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain(' INFO ')
  })

  it('-v and TRANSPORTER_DEBUG=1 log at debug level: settings, components and rsync argv', async () => {
    for (const [extra, env] of [
      [['-v'], {}],
      [[], {TRANSPORTER_DEBUG: '1'}],
    ] as Array<[string[], Record<string, string>]>) {
      const ws = scratch.workspace(filterTree)
      const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, ...extra], ws, {env})
      expect(r.code).toBe(0)
      expect(r.stderr).toMatch(/ DEBUG settings: \{/)
      expect(r.stderr).toMatch(/ DEBUG components: reporters console, http; mount checks statfs/)
      expect(r.stderr).toMatch(/ DEBUG attempt 1: rsync "-rlptgo" "--partial"/)
    }
  })

  it('an unknown --log-level is a usage error', async () => {
    const ws = scratch.workspace(filterTree)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--log-level', 'loud'], ws)
    expect(r.code).toBe(22)
    expect(r.stderr).toMatch(/loud/)
  })
})

describe('what rsync would do, and its own summary, when asked', () => {
  it('--dry-run lists what it would transfer and copies nothing', async () => {
    const ws = scratch.workspace(filterTree)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dry-run', '--dest-dir'], ws)
    expect(r.code, r.stderr).toBe(0)
    for (const name of ['keep.txt', 'drop.tmp', 'logs/a.log', 'logs/keep.log'])
      expect(r.stderr).toMatch(new RegExp(`INFO {2}dry run: would transfer >f\\+{9} ${name.replace('.', '\\.')}\\n`))
    expect(existsSync(ws.dest)).toBe(false)
  })

  it("--stats in rsync.extraArgs shows rsync's summary instead of swallowing it", async () => {
    const ws = scratch.workspace(filterTree)
    writeConfig(ws, 'rsync: {extraArgs: [--stats]}\n')
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/INFO {2}rsync: Number of files: 6 \(reg: 4, dir: 2\)\n/)
    expect(r.stderr).toMatch(/INFO {2}rsync: Total transferred file size: 8 bytes\n/)
  })

  it.concurrent.each(['-h', '--human-readable'])('%s in rsync.extraArgs is refused: it would turn the counts into units', async (arg) => {
    const ws = scratch.workspace(filterTree)
    writeConfig(ws, `rsync: {extraArgs: [${arg}]}\n`)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest], ws)
    expect(r.code).toBe(22)
    expect(r.stderr).toContain('the summary line is human-readable already')
  })
})

describe('--shard and --parallel combine (spec §9)', () => {
  it('two shards, each with --parallel 2, together copy the tree exactly once', async () => {
    const ws = scratch.workspace((src) => makeManyFiles(src, 60, 4))
    for (const index of [0, 1]) {
      const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--shard', `${index}/2`, '--parallel', '2', '-v'], ws)
      expect(r.code, r.stderr).toBe(0)
      // both workers of the shard ran: --parallel is not dropped
      expect(r.stderr).toContain(`[shard ${index}/2 worker 2/2] attempt`)
    }
    // every file, link and mode as in the source; a directory's mtime may move when the other shard writes into it afterwards
    const isDirMtime = (d: string) => / mtime /.test(d) && statSync(join(ws.src, d.split(': ')[0]!)).isDirectory()
    expect(diffTrees(ws.src, ws.dest).filter((d) => !isDirMtime(d))).toEqual([])
  })
})

describe('a split copy takes names as bytes (spec §9)', () => {
  it('--parallel 2 and two shards copy names that are not valid UTF-8, files, dirs and symlinks alike', async () => {
    const latin1 = (s: string) => Buffer.from(s, 'latin1')
    const fillBytes = (src: string) => {
      const at = (...parts: Buffer[]) => Buffer.concat([Buffer.from(`${src}/`), ...parts])
      mkdirSync(at(latin1('d\xe9j\xe0')))
      writeFileSync(at(latin1('d\xe9j\xe0'), Buffer.from('/'), latin1('caf\xe9.txt')), 'latin-1 name\n')
      writeFileSync(at(latin1('\xff\xfe.bin')), Buffer.from([0, 1, 2]))
      symlinkSync('plain.txt', at(latin1('lien-\xe9')))
      writeFileSync(at(Buffer.from('plain.txt')), 'plain\n')
    }
    for (const split of [
      ['--parallel', '2'],
      ['--shard', '0/2'],
      ['--shard', '1/2'],
    ]) {
      const ws = scratch.workspace(fillBytes)
      const runs = split[0] === '--shard' ? [split, ['--shard', split[1] === '0/2' ? '1/2' : '0/2']] : [split]
      for (const args of runs) {
        const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', ...args], ws)
        expect(r.code, r.stderr).toBe(0)
      }
      const isDirMtime = (d: string) => / mtime /.test(d) && !/\.(txt|bin)/.test(d) && !/lien/.test(d)
      expect(diffTrees(ws.src, ws.dest).filter((d) => !isDirMtime(d))).toEqual([])
    }
  })
})

describe('files listed for a split part that vanish before rsync reaches them (spec §9)', () => {
  it('are vanished files, as in a plain copy: exit 0 with a warning, everything else copied', async () => {
    const ws = scratch.workspace((src) => {
      for (let i = 0; i < 10; i++) writeFileSync(join(src, `f${i}`), `${i}\n`)
    })
    // the first rsync start after rsync's listing of the source deletes f3 from the source
    const wrapper = join(ws.root, 'deleting-rsync.sh')
    const deleteOnce = `case " $* " in *" --list-only "*) ;; *) if mkdir "${ws.root}/once" 2>/dev/null; then rm -f "${ws.src}/f3"; fi ;; esac`
    writeFileSync(wrapper, `#!/bin/sh\n${deleteOnce}\nexec rsync "$@"\n`, {mode: 0o755})
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--parallel', '2', '--rsync-path', wrapper, '--json'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/vanished/)
    const out = JSON.parse(r.stdout) as {attempts: Array<{class: string}>}
    expect(out.attempts.some((a) => a.class === 'vanished')).toBe(true)
    expect(diffTrees(ws.src, ws.dest)).toEqual([])
  })
})
