/**
 * Spec §9, option by option: for every option of the `rsync.extraArgs`
 * allow-list, a plain copy, a `--parallel 2` copy and two concurrent shards
 * of a small tree that exercises it, into dests that already hold something (files to delete, to
 * update, to append to, a symlinked directory). The split copy must leave
 * dest exactly as the plain one did with the same exit code, or be refused
 * with 22 before copying. The table in docs/reliability.md is this test's
 * observation; `TRANSPORTER_WRITE_DOCS=1` rewrites it.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, linkSync, lutimesSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {ALLOWED_LONG, ALLOWED_SHORT} from '../../src/core/rsync/args.js'
import type {CopyRequest} from '../../src/core/run/copy.js'
import {diffTrees, leftovers, listTree, type Workspace} from '../helpers/trees.js'
import {ROOT} from '../helpers/run-cli.js'
import {harness, workspace} from './harness.js'

/** The value an option is given; every other option is passed bare. */
function argFor(option: string, ws: Workspace): string {
  const values: Record<string, string> = {
    'block-size': '1024',
    bwlimit: '100000',
    chmod: 'D750,F640',
    chown: '65534:65534',
    'compress-level': '1',
    contimeout: '5',
    exclude: '*.tmp',
    'exclude-from': join(ws.root, 'rules'),
    filter: '- *.tmp',
    include: 'sub/***',
    'include-from': join(ws.root, 'rules'),
    'max-delete': '1',
    'max-size': '1k',
    'min-size': '1k',
    'modify-window': '1',
    suffix: '.bak',
    timeout: '30',
    'backup-dir': 'backups',
    'log-file': join(ws.root, 'rsync.log'),
    'log-file-format': '%i %n',
    iconv: 'UTF-8,UTF-8',
    'checksum-choice': 'md5',
  }
  if (option.length === 1) return `-${option}`
  return values[option] === undefined ? `--${option}` : `--${option}=${values[option]}`
}

const t0 = 1_000_000_000
const old = (path: string | Buffer, offset: number) => lutimesSync(path, t0 + offset, t0 + offset)

/** Something for every option to act on. */
function fill(src: string): void {
  const root = join(src, '..')
  writeFileSync(join(root, 'outside.txt'), 'outside the tree\n')
  writeFileSync(join(root, 'rules'), '- *.tmp\n')
  mkdirSync(join(src, 'sub/deeper'), {recursive: true})
  mkdirSync(join(src, 'empty-dir'))
  mkdirSync(join(src, 'kd'))
  mkdirSync(join(src, 'ro-dir'))
  writeFileSync(join(src, 'top.txt'), 'top\n')
  writeFileSync(join(src, 'changed.txt'), 'the source version, longer than dest\n')
  writeFileSync(join(src, 'grow.txt'), '0123456789\n')
  writeFileSync(join(src, 'big.bin'), Buffer.alloc(4096, 7))
  writeFileSync(join(src, 'small.tmp'), 'temporary\n')
  writeFileSync(join(src, 'sub/inner.txt'), 'inner\n')
  writeFileSync(join(src, 'sub/.rules'), '- inner.txt\n')
  writeFileSync(join(src, 'sub/deeper/x.tmp'), 'deep temporary\n')
  writeFileSync(join(src, 'kd/f.txt'), 'through a kept dirlink\n')
  writeFileSync(join(src, 'ro-dir/f.txt'), 'read-only dir\n')
  writeFileSync(join(src, 'exec.sh'), '#!/bin/sh\n', {mode: 0o755})
  writeFileSync(Buffer.concat([Buffer.from(`${src}/`), Buffer.from([0x66, 0xff, 0xfe])]), 'not utf-8\n')
  writeFileSync(join(src, 'hard-1'), 'linked\n')
  linkSync(join(src, 'hard-1'), join(src, 'sub/hard-2'))
  symlinkSync('top.txt', join(src, 'link-in'))
  symlinkSync('sub', join(src, 'link-dir'))
  symlinkSync('../outside.txt', join(src, 'link-out'))
  symlinkSync('../top.txt', join(src, 'sub/up'))
  symlinkSync('nowhere', join(src, 'dangling'))
  execFileSync('mkfifo', [join(src, 'fifo')])
  execFileSync('truncate', ['-s', '1M', join(src, 'sparse.img')])
  writeFileSync(join(src, 'sparse.img'), 'head', {flag: 'r+'})
  chmodSync(join(src, 'ro-dir'), 0o555)
  let i = 0
  for (const rel of ['top.txt', 'changed.txt', 'grow.txt', 'big.bin', 'small.tmp', 'sub/inner.txt', 'sub/deeper/x.tmp', 'kd/f.txt', 'ro-dir/f.txt'])
    old(join(src, rel), i++)
  for (const rel of ['exec.sh', 'hard-1', 'link-in', 'link-dir', 'link-out', 'sub/up', 'dangling', 'fifo', 'sparse.img']) old(join(src, rel), i++)
  for (const rel of ['sub/deeper', 'sub', 'empty-dir', 'kd', 'ro-dir', '.']) old(join(src, rel), i++)
}

/** What dest holds before each copy: entries only in dest, a newer and a shorter version, a symlink where src has a directory. */
function prepare(dest: string): void {
  mkdirSync(join(dest, 'extra-dir'), {recursive: true})
  mkdirSync(join(dest, 'kd-real'))
  writeFileSync(join(dest, 'extra.txt'), 'only in dest\n')
  writeFileSync(join(dest, 'extra-dir/x'), 'only in dest\n')
  writeFileSync(join(dest, 'old.tmp'), 'excluded, only in dest\n')
  writeFileSync(join(dest, 'changed.txt'), 'dest version\n')
  writeFileSync(join(dest, 'grow.txt'), '01234')
  writeFileSync(join(dest, 'kd-real/kept.txt'), 'already there\n')
  symlinkSync('kd-real', join(dest, 'kd'))
  old(join(dest, 'grow.txt'), -100)
  // newer than the source's: --update keeps it
  old(join(dest, 'changed.txt'), 1_000_000_000)
}

interface Row {
  option: string
  plain: number
  parallel: string
  shards: string
}

const DOC = join(ROOT, 'docs/reliability.md')
const HEADING = '## Split copies and rsync options'
/** Every allow-listed option alone, then the combinations where a split copy does more than pass an option on. */
const options = [
  ...[...ALLOWED_LONG].sort(),
  ...ALLOWED_SHORT,
  ...[
    '--delete -b',
    '--delete --backup-dir',
    '--delete --max-size',
    '--delete-excluded --min-size',
    '--delete -H',
    '--delete --keep-dirlinks',
    '--delete --ignore-existing',
    '--delete -u',
    // filter rules the listing must apply: a whole directory, everything but one, a rule read in each directory
    '--exclude=sub/',
    '--include=sub/*** --exclude=*',
    '--filter=-_deeper/',
    '--filter=dir-merge_.rules',
    '--exclude=sub/ --delete',
    '--exclude=*.tmp --delete-excluded',
    '-L --delete',
    '-L --exclude=link-dir/',
  ],
]
const rows = new Map<string, Row>()

describe('every allow-listed rsync option: --parallel 2 and two shards equal the plain copy, or are refused with 22', () => {
  let ws: Workspace
  let since: number
  beforeAll(() => {
    ws = workspace(fill)
    since = Math.floor(Date.now() / 1000) - 1
  })

  async function copy(dest: string, request: Partial<CopyRequest>, fresh = true) {
    if (fresh) {
      mkdirSync(dest, {recursive: true})
      prepare(dest)
    }
    const h = await harness({src: `${ws.src}/`, dest}, {...request, parallel: request.parallel ?? 1})
    try {
      return {exitCode: (await h.run()).exitCode, refusal: undefined}
    } catch (error) {
      const e = error as {exitCode?: number; message: string}
      return {exitCode: e.exitCode ?? -1, refusal: e.message}
    }
  }

  test.concurrent.each(options)('%s', async (option) => {
    const args = option.split(' ').map((o) => argFor(o.replace(/^--?/, ''), ws))
    const arg = args.join(' ')
    const name = option.replace(/[^\w-]/g, '_')
    const dest = (kind: string) => join(ws.root, `out/${kind}-${name}`)
    const plain = await copy(dest('plain'), {extraArgs: args})
    expect(plain.refusal).toBeUndefined()
    const parallel = await judge(dest('parallel'), plain.exitCode, arg, () => copy(dest('parallel'), {extraArgs: args, parallel: 2}, false).then((o) => [o]))
    // two shards at once into one dest: the most severe of their codes is the plain copy's
    const shards = await judge(dest('shards'), plain.exitCode, arg, () =>
      Promise.all([0, 1].map((index) => copy(dest('shards'), {extraArgs: args, shard: {index, count: 2}}, false))),
    )
    rows.set(option, {option: arg, plain: plain.exitCode, parallel, shards})
  })

  test('--delete: a non-empty directory in dest where the source has a file is replaced, as in a plain copy', async () => {
    const runs = await Promise.all(
      (['plain', 'parallel'] as const).map(async (kind) => {
        const at = join(ws.root, `out/conflict-${kind}`)
        mkdirSync(join(at, 'top.txt/inside'), {recursive: true})
        writeFileSync(join(at, 'top.txt/inside/f'), 'in the way\n')
        return {at, outcome: await copy(at, {extraArgs: ['--delete'], parallel: kind === 'plain' ? 1 : 2}, false)}
      }),
    )
    expect(runs.map((r) => r.outcome.exitCode)).toEqual([0, 0])
    expect(diffTrees(runs[0]!.at, runs[1]!.at, {allTimes: true, hardLinks: true, nowSince: since})).toEqual([])
    expect(readFileSync(join(runs[1]!.at, 'top.txt'), 'utf8')).toBe('top\n')
  })

  /** Runs a split copy into a freshly prepared `at`: "refused (22)" with dest untouched, or "equal (codes)" with dest as the plain copy's. */
  async function judge(at: string, plainExit: number, arg: string, run: () => Promise<Array<{exitCode: number; refusal: string | undefined}>>) {
    const plainDest = at.replace(/\/(parallel|shards)-/, '/plain-')
    mkdirSync(at)
    prepare(at)
    const outcomes = await run()
    const refused = outcomes.filter((o) => o.refusal !== undefined)
    if (refused.length > 0) {
      expect(refused.map((o) => o.exitCode)).toEqual(outcomes.map(() => 22))
      const prepared = `${at}-prepared`
      mkdirSync(prepared)
      prepare(prepared)
      expect(listTree(at), 'refused before anything was copied').toEqual(listTree(prepared))
      return 'refused (22)'
    }
    const codes = outcomes.map((o) => o.exitCode)
    expect(codes.find((c) => c !== 0) ?? 0, `exit codes with ${arg}: ${codes.join(', ')}`).toBe(plainExit)
    expect(diffTrees(plainDest, at, {allTimes: true, hardLinks: true, allocation: true, nowSince: since}), `${at}: ${arg}`).toEqual([])
    expect(leftovers(at)).toEqual([])
    return `equal (${codes.join(', ')})`
  }

  afterAll(() => {
    if (rows.size !== options.length) return // a case failed: its own failure says why
    const table = [
      '| option (as tested) | plain copy exit | `--parallel 2` | `--shard 0/2` and `1/2` at once (exit codes) |',
      '|---|---|---|---|',
      ...options.map((o) => rows.get(o)!).map((r) => `| \`${r.option.replace(ws.root, '…')}\` | ${r.plain} | ${r.parallel} | ${r.shards} |`),
    ].join('\n')
    const doc = readFileSync(DOC, 'utf8')
    const start = doc.indexOf(HEADING)
    if (process.env.TRANSPORTER_WRITE_DOCS === '1') {
      const end = start === -1 ? -1 : doc.indexOf('\n## ', start + HEADING.length)
      const section = `${HEADING}\n\n${INTRO}\n\n${table}\n`
      const next = start === -1 ? `${doc.trimEnd()}\n\n${section}` : `${doc.slice(0, start)}${section}${end === -1 ? '' : doc.slice(end)}`
      writeFileSync(DOC, next)
      return
    }
    expect(start, `docs/reliability.md has no "${HEADING}" section; run with TRANSPORTER_WRITE_DOCS=1`).toBeGreaterThan(-1)
    expect(doc.slice(start), 'the table in docs/reliability.md is what this test observed (TRANSPORTER_WRITE_DOCS=1 rewrites it)').toContain(table)
  })
})

const INTRO = `Produced and checked by \`test/engine/split-options.test.ts\`: for every option of the \`rsync.extraArgs\` allow-list (read from \`src/core/rsync/args.ts\`), a plain copy, a \`--parallel 2\` copy and two shards (\`--shard 0/2\` and \`1/2\` at once, into one dest) of a tree with what the option acts on (filtered names, hard links, symlinks inside and outside the tree, a dangling one, a FIFO, a 0555 directory, a sparse file, a non-UTF-8 name) into a dest that already holds entries only in dest, a newer and a shorter version of two files and a symlink where the source has a directory. "equal (n)": the split copy left dest exactly as the plain copy did (names as bytes, modes, owners, contents, allocation, hard links, file, directory and link mtimes) with the same exit code n (for the shards: each shard's code; the most severe is the plain copy's). "refused (22)": the combination is refused before anything is copied.`
