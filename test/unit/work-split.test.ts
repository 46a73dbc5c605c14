import {existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {ByteString} from '../../src/core/split/byte-string.js'
import {listSource, listingArgs, parseListingLine, type TreeEntry} from '../../src/core/split/source-listing.js'
import {findWholeSubtrees} from '../../src/core/split/subtrees.js'
import {balancer, FileList, inShard, runAssigner, shardOf, splitBase} from '../../src/core/split/work-split.js'
import {StopController} from '../../src/core/run/stop.js'
import {Spool} from '../../src/core/split/spool.js'

const roots: string[] = []
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, {recursive: true, force: true})
})

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'split-'))
  roots.push(root)
  mkdirSync(join(root, 'src/b/empty'), {recursive: true})
  mkdirSync(join(root, 'src/a'))
  writeFileSync(join(root, 'src/a/big'), Buffer.alloc(10_000))
  for (let i = 0; i < 9; i++) writeFileSync(join(root, `src/b/f${i}`), 'x')
  return root
}

const byteString = (raw: Buffer) => raw.toString('latin1') as ByteString
const bytes = (text: string): ByteString => byteString(Buffer.from(text))
const read = (list: FileList) => readFileSync(list.path, 'utf8').split('\0').filter(Boolean)

/**
 * What --parallel does with rsync's listing of `src`: kept in a spool, the subtrees that fall in one list found,
 * then replayed into the lists; each list's names with every listed directory expanded into the files under it
 * (the workers copy them with -r).
 */
let sharedDirs: string[] = []
async function balance(src: string, lists: FileList[], extraArgs: string[] = [], hardLinks = false): Promise<string[][]> {
  const spool = new Spool(`${lists[0]!.path}.spool`)
  await list(src, (e) => spool.add(e), extraArgs, hardLinks)
  const subtrees = findWholeSubtrees((visit) => spool.replay(visit), runAssigner(lists.length, spool.totalLoad, hardLinks))
  expect(subtrees, "rsync's listing is depth-first").toBeDefined()
  const shared = new FileList(`${lists[0]!.path}.shared`)
  spool.replay(balancer(lists, spool.totalLoad, hardLinks, {table: subtrees!, shared}))
  spool.close()
  for (const l of [...lists, shared]) l.close()
  sharedDirs = read(shared)
  expect(existsSync(spool.path), 'the spool is removed').toBe(false)
  const expand = (rel: string): string[] => {
    const path = join(src, rel)
    if (!statSync(path).isDirectory()) return [rel]
    return readdirSync(path).flatMap((name) => expand(`${rel}/${name}`))
  }
  return lists.map((l) => read(l).flatMap(expand))
}

/** rsync's listing of `src` (SRC exactly as given), every entry handed to `visit`; the listing's exit code. */
async function list(src: string, visit: (e: TreeEntry) => void, extraArgs: string[] = [], hardLinks = false): Promise<number> {
  const {base} = splitBase(src)
  const raw = await listSource({rsyncPath: 'rsync', src, base, extraArgs, hardLinks, stop: new StopController(), graceMs: 1000}, visit)
  return raw.code
}

describe('listSource: rsync lists what the copy sees', () => {
  it('visits every entry once, with the source name first when SRC has no trailing slash', async () => {
    const root = tree()
    const seen: TreeEntry[] = []
    expect(await list(join(root, 'src'), (e) => seen.push(e))).toBe(0)
    expect(seen.map((e) => e.rel).sort()).toEqual(
      ['src', 'src/a', 'src/a/big', 'src/b', 'src/b/empty', ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `src/b/f${i}`)].sort(),
    )
    expect(seen.find((e) => e.rel === 'src/a/big')).toMatchObject({size: 10_000, isDir: false})
    expect(seen.find((e) => e.rel === 'src/b/empty')).toMatchObject({size: 0, isDir: true})
    expect(splitBase(join(root, 'src'))).toEqual({base: root, prefix: 'src'})
    expect(splitBase(`${join(root, 'src')}/`)).toEqual({base: `${join(root, 'src')}/`, prefix: ''})
  })

  it("honours the copy's filter rules: an excluded directory's contents are not listed", async () => {
    const root = tree()
    const seen: string[] = []
    await list(`${join(root, 'src')}/`, (e) => seen.push(e.rel), ['--exclude=b/', '--filter=- big'])
    expect(seen.sort()).toEqual(['a'])
  })

  it('lists a name that is not valid UTF-8, a newline and a literal \\#123 byte for byte', async () => {
    const root = mkdtempSync(join(tmpdir(), 'walk-bytes-'))
    roots.push(root)
    const names = [Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('new\nline'), Buffer.from('back\\#123slash'), Buffer.from('tab\there')]
    for (const name of names) writeFileSync(Buffer.concat([Buffer.from(`${root}/`), name]), 'x')
    symlinkSync('a -> b', join(root, 'link -> with arrow'))
    const out = new FileList(join(root, '..', `list-${Date.now()}`))
    roots.push(out.path)
    await list(`${root}/`, (e) => out.add(e.rel))
    out.close()
    const listed = readFileSync(out.path).toString('latin1').split('\0').filter(Boolean).sort()
    expect(listed).toEqual([...names.map((n) => n.toString('latin1')), 'link -> with arrow'].sort())
  })
})

describe('listSource: what goes wrong', () => {
  it('a visit that throws (a list that cannot be written) rejects the listing with that error once rsync is done', async () => {
    const root = tree()
    let calls = 0
    const failure = Object.assign(new Error('no space for the list'), {code: 'ENOSPC'})
    await expect(
      list(`${join(root, 'src')}/`, () => {
        calls++
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(calls).toBe(1)
  })
})

describe('parseListingLine', () => {
  it("reads type, size and the name, undoing rsync's escapes", () => {
    expect(parseListingLine('-rw-r--r--          10000 2026/12/01 10:00:00 a/big')).toEqual({type: '-', size: 10_000, rel: 'a/big'})
    expect(parseListingLine('drwxr-xr-x           4096 2026/12/01 10:00:00 .')).toEqual({type: 'd', size: 4096, rel: '.'})
    expect(parseListingLine('-rw-r--r--              1 2026/12/01 10:00:00 caf\\#351')?.rel).toBe('caf\u00e9')
    expect(parseListingLine('srwxr-xr-x              0 2026/12/01 10:00:00 sock')).toEqual({type: 's', size: 0, rel: 'sock'})
    // a summary after the entries
    expect(parseListingLine('sent 1,082 bytes  received 162 bytes  488.00 bytes/sec')).toBeUndefined()
    expect(parseListingLine('sent 82 bytes 162 bytes 488.00 x')).toBeUndefined()
    // a literal "\#123" is written as "\#134#123"
    expect(parseListingLine('-rw-r--r--              1 2026/12/01 10:00:00 x\\#134#123')?.rel).toBe('x\\#123')
    // the symlink's size is its target's length, which says where the name ends
    expect(parseListingLine('lrwxrwxrwx              6 2026/12/01 10:00:00 l -> x -> a -> b')?.rel).toBe('l -> x')
    expect(parseListingLine('rsync: [sender] change_dir "/x" failed: No such file or directory (2)')).toBeUndefined()
  })

  it('passes only the options that choose entries to the listing', () => {
    expect(listingArgs(['--exclude=*.tmp', '-HLx', '--delete', '--filter=- a', '--checksum', '--copy-unsafe-links', '--one-file-system'])).toEqual([
      '--exclude=*.tmp',
      '-L',
      '-x',
      '--filter=- a',
      '--copy-unsafe-links',
      '--one-file-system',
    ])
  })
})

describe('balancer and inShard', () => {
  it('balances by bytes and count, every file exactly once, a directory shared by two lists named in neither', async () => {
    const root = tree()
    const lists = [0, 1, 2].map((i) => new FileList(join(root, `l${i}`)))
    const parts = await balance(`${join(root, 'src')}/`, lists)
    expect(
      parts
        .flat()
        .filter((p) => p.includes('/f') || p.endsWith('big'))
        .sort(),
    ).toEqual(['a/big', ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `b/f${i}`)].sort())
    // the 10 kB file fills one list; the small ones spread over the other two
    const withBig = parts.find((l) => l.includes('a/big'))!
    expect(withBig.filter((p) => p.startsWith('b/f'))).toHaveLength(0)
    expect(parts.filter((l) => l.some((p) => p.startsWith('b/f')))).toHaveLength(2)
    // b is in two lists' runs: its files imply it; a is whole in one list, named once; the empty dir goes to list 0
    expect(lists.flatMap(read)).not.toContain('b')
    expect(sharedDirs).toEqual(['b'])
    expect(read(lists[0]!)).toEqual(expect.arrayContaining(['a', 'b/empty']))
    // every entry is counted once, the implied b included (the plain copy's 13 with `.`)
    expect(lists.reduce((n, l) => n + l.count, 0)).toBe(13)
  })

  it('gives each list contiguous runs of the listing: a directory wholly in one run is named once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'split-runs-'))
    roots.push(root)
    for (const d of ['d0', 'd1', 'd2', 'd3']) {
      mkdirSync(join(root, 'src', d), {recursive: true})
      for (let i = 0; i < 25; i++) writeFileSync(join(root, 'src', d, `f${String(i).padStart(2, '0')}`), Buffer.alloc(1000))
    }
    const lists = [0, 1, 2, 3].map((i) => new FileList(join(root, `l${i}`)))
    const parts = await balance(`${join(root, 'src')}/`, lists)
    expect(lists.map(read)).toEqual([['d0'], ['d1'], ['d2'], ['d3']])
    expect(parts.map((p) => p.length)).toEqual([25, 25, 25, 25])
    expect(lists.map((l) => l.count)).toEqual([26, 26, 26, 26])
  })

  it('runs close before a file that would overshoot their share, so no list is left empty', () => {
    const files = [1, 2, 3, 4, 5, 6, 7, 8].map((k): TreeEntry => ({rel: bytes(`f${k}`), size: 1000 * k, isDir: false}))
    const total = files.reduce((n, f) => n + f.size + 512, 0)
    const assign = runAssigner(4, total)
    expect(files.map(assign)).toEqual([0, 0, 0, 0, 1, 1, 2, 3])
  })

  it('a listing that is not depth-first gets no subtree table: every name is then listed on its own', () => {
    const entry = (rel: string, isDir = false): TreeEntry => ({rel: bytes(rel), size: 1, isDir})
    const ordered = [entry('a', true), entry('a/1'), entry('b', true), entry('b/2')]
    const table = findWholeSubtrees(
      (visit) => ordered.forEach(visit),
      () => 0,
    )
    expect([table?.partOf(0), table?.entriesOf(0), table?.partOf(1)]).toEqual([0, 2, 0])
    const scattered = [entry('a', true), entry('b', true), entry('a/1'), entry('b/2')]
    expect(
      findWholeSubtrees(
        (visit) => scattered.forEach(visit),
        () => 0,
      ),
    ).toBeUndefined()
  })

  it('the spool gives back every entry as it was added, names as bytes', () => {
    const root = mkdtempSync(join(tmpdir(), 'spool-'))
    roots.push(root)
    const entries: TreeEntry[] = [
      {rel: bytes('a dir/with spaces'), size: 0, isDir: true},
      {rel: byteString(Buffer.from([0x63, 0xe9, 0x20, 0x2d, 0x20, 0xff])), size: 12_345, isDir: false},
      {rel: bytes('linked'), size: 7, isDir: false, linkGroup: '2049:123456'},
    ]
    const spool = new Spool(join(root, 'spool'))
    for (const e of entries) spool.add(e)
    const back: TreeEntry[] = []
    spool.replay((e) => back.push(e))
    spool.replay((e) => back.push(e))
    spool.close()
    expect(back).toEqual([...entries, ...entries])
    expect(spool.totalLoad).toBe(12_345 + 512 + 7 + 512)
  })

  it('shards partition the files with no overlap, stable per path, the same for a name as bytes and as a Buffer', async () => {
    const root = tree()
    const lists = [0, 1, 2].map((i) => new FileList(join(root, `s${i}`)))
    for (const [i, l] of lists.entries())
      await list(
        `${join(root, 'src')}/`,
        inShard(i, 3, (e) => l.add(e.rel)),
      )
    for (const l of lists) l.close()
    const files = lists.flatMap((l, i) => read(l).filter((p) => i !== 0 || !['a', 'b', 'b/empty'].includes(p)))
    expect(files.sort()).toEqual(['a/big', ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `b/f${i}`)].sort())
    for (const [i, l] of lists.entries()) for (const p of read(l)) if (p.startsWith('b/f')) expect(shardOf(bytes(p), 3)).toBe(i)
    const odd = Buffer.from([0x63, 0xe9, 0xff, 0x2f, 0x78])
    expect(shardOf(byteString(odd), 7919)).toBe(shardOf(odd, 7919))
    // FNV-1a of "b/f1": the partition is the same on every machine and in every release
    expect(shardOf(Buffer.from('b/f1'), 100_000)).toBe(0x50152f7b % 100_000)
  })
})

describe('-H: every name of a hard-linked file goes to the part of its first name', () => {
  async function linked(): Promise<string> {
    const root = tree()
    for (const d of ['c', 'd', 'e']) mkdirSync(join(root, 'src', d))
    writeFileSync(join(root, 'src/c/h1'), 'linked')
    for (const name of ['d/h2', 'e/h3', 'e/h4']) linkSync(join(root, 'src/c/h1'), join(root, 'src', name))
    return root
  }
  const names = ['c/h1', 'd/h2', 'e/h3', 'e/h4']

  it('--parallel: one list holds the whole group', async () => {
    const root = await linked()
    const lists = [0, 1, 2, 3].map((i) => new FileList(join(root, `l${i}`)))
    const parts = await balance(`${join(root, 'src')}/`, lists, ['-H'], true)
    expect(parts.filter((l) => names.some((n) => l.includes(n)))).toEqual([expect.arrayContaining(names)])
  })

  it('--shard: one shard holds the whole group', async () => {
    const root = await linked()
    // without -H the names would be spread by their own hashes
    expect(new Set(names.map((n) => shardOf(bytes(n), 8))).size).toBeGreaterThan(1)
    const parts = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (i) => {
        const got: string[] = []
        await list(
          `${join(root, 'src')}/`,
          inShard(i, 8, (e) => void got.push(e.rel), true),
          ['-H'],
          true,
        )
        return got.filter((p) => names.includes(p))
      }),
    )
    expect(parts.filter((p) => p.length > 0).map((p) => p.sort())).toEqual([names])
  })
})
