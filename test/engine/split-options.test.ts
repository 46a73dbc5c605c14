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
  symlinkSync('nowhere', join(src, 'dangling'))
  execFileSync('mkfifo', [join(src, 'fifo')])
  execFileSync('truncate', ['-s', '1M', join(src, 'sparse.img')])
  writeFileSync(join(src, 'sparse.img'), 'head', {flag: 'r+'})
  chmodSync(join(src, 'ro-dir'), 0o555)
  let i = 0
  for (const rel of ['top.txt', 'changed.txt', 'grow.txt', 'big.bin', 'small.tmp', 'sub/inner.txt', 'sub/deeper/x.tmp', 'kd/f.txt', 'ro-dir/f.txt'])
    old(join(src, rel), i++)
  for (const rel of ['exec.sh', 'hard-1', 'link-in', 'link-dir', 'link-out', 'dangling', 'fifo', 'sparse.img']) old(join(src, rel), i++)
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
const options = [...[...ALLOWED_LONG].sort(), ...ALLOWED_SHORT]
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
    const arg = argFor(option, ws)
    const name = option.replace(/[^\w-]/g, '_')
    const dest = (kind: string) => join(ws.root, `out/${kind}-${name}`)
    const exact = {allTimes: true, hardLinks: true, allocation: true, nowSince: since}
    const plain = await copy(dest('plain'), {extraArgs: [arg]})
    expect(plain.refusal).toBeUndefined()
    const split = await copy(dest('parallel'), {extraArgs: [arg], parallel: 2})
    if (split.refusal !== undefined) {
      expect(split.exitCode).toBe(22)
      // refused before anything was copied: dest is as prepared
      mkdirSync(dest('prepared'))
      prepare(dest('prepared'))
      expect(listTree(dest('parallel'))).toEqual(listTree(dest('prepared')))
      expect((await copy(dest('shards'), {extraArgs: [arg], shard: {index: 0, count: 2}})).exitCode).toBe(22)
      rows.set(option, {option: arg, plain: plain.exitCode, parallel: 'refused (22)', shards: 'refused (22)'})
      return
    }
    expect(split.exitCode, `exit code with ${arg}`).toBe(plain.exitCode)
    expect(diffTrees(dest('plain'), dest('parallel'), exact), arg).toEqual([])
    expect(leftovers(dest('parallel'))).toEqual([])

    // two shards at once into one dest: the most severe of their codes is the plain copy's
    mkdirSync(dest('shards'))
    prepare(dest('shards'))
    const shards = await Promise.all([0, 1].map((index) => copy(dest('shards'), {extraArgs: [arg], shard: {index, count: 2}}, false)))
    const worst = shards.map((o) => o.exitCode).find((c) => c !== 0) ?? 0
    expect(shards.map((o) => o.refusal)).toEqual([undefined, undefined])
    expect(worst, `shard exit codes with ${arg}: ${shards.map((o) => o.exitCode).join(', ')}`).toBe(plain.exitCode)
    expect(diffTrees(dest('plain'), dest('shards'), exact), `2 shards, ${arg}`).toEqual([])
    rows.set(option, {option: arg, plain: plain.exitCode, parallel: `equal (${split.exitCode})`, shards: `equal (${shards.map((o) => o.exitCode).join(', ')})`})
  })

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
