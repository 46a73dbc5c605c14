import {linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {balancer, FileList, inShard, sharder, shardOf, splitBase, walkTree, type TreeEntry} from '../../src/core/split/work-split.js'

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

const read = (list: FileList) => readFileSync(list.path, 'utf8').split('\0').filter(Boolean)

describe('walkTree', () => {
  it('visits every entry once, in name order, with the source name as prefix when it has no trailing slash', () => {
    const root = tree()
    const seen: TreeEntry[] = []
    walkTree(root, 'src', (e) => seen.push(e))
    expect(seen.map((e) => e.rel.toString())).toEqual([
      'src',
      'src/a',
      'src/a/big',
      'src/b',
      'src/b/empty',
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `src/b/f${i}`),
    ])
    expect(seen.find((e) => e.rel.toString() === 'src/a/big')).toMatchObject({size: 10_000, isDir: false})
    expect(splitBase(join(root, 'src'))).toEqual({base: root, prefix: 'src'})
    expect(splitBase(`${join(root, 'src')}/`)).toEqual({base: `${join(root, 'src')}/`, prefix: ''})
  })
})

describe('balancer and sharder', () => {
  it('balances by bytes and count, directories in list 0, every file exactly once', () => {
    const root = tree()
    const lists = [0, 1, 2].map((i) => new FileList(join(root, `l${i}`)))
    walkTree(`${join(root, 'src')}/`, '', balancer(lists))
    for (const l of lists) l.close()
    const [l0, l1, l2] = lists.map(read)
    expect(l0).toEqual(expect.arrayContaining(['a', 'b', 'b/empty']))
    const files = [...l0!, ...l1!, ...l2!].filter((p) => !['a', 'b', 'b/empty'].includes(p))
    expect(files.sort()).toEqual(['a/big', ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `b/f${i}`)].sort())
    // the 10 kB file fills one list; the small ones spread over the other two
    const withBig = [l0!, l1!, l2!].find((l) => l.includes('a/big'))!
    expect(withBig.filter((p) => p.startsWith('b/f'))).toHaveLength(0)
  })

  it('shards partition the files with no overlap, stable per path', () => {
    const root = tree()
    const lists = [0, 1, 2].map((i) => new FileList(join(root, `s${i}`)))
    lists.forEach((l, i) => walkTree(`${join(root, 'src')}/`, '', sharder(l, i, 3)))
    for (const l of lists) l.close()
    const files = lists.flatMap((l, i) => read(l).filter((p) => i !== 0 || !['a', 'b', 'b/empty'].includes(p)))
    expect(files.sort()).toEqual(['a/big', ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `b/f${i}`)].sort())
    expect(shardOf('b/f1', 3)).toBe(shardOf('b/f1', 3))
    for (const [i, l] of lists.entries()) for (const p of read(l)) if (p.startsWith('b/f')) expect(shardOf(p, 3)).toBe(i)
  })
})

describe('-H: every name of a hard-linked file goes to the part of its first name', () => {
  function linked(): string {
    const root = tree()
    for (const d of ['c', 'd', 'e']) mkdirSync(join(root, 'src', d))
    writeFileSync(join(root, 'src/c/h1'), 'linked')
    for (const name of ['d/h2', 'e/h3', 'e/h4']) linkSync(join(root, 'src/c/h1'), join(root, 'src', name))
    return root
  }
  const names = ['c/h1', 'd/h2', 'e/h3', 'e/h4']

  it('--parallel: one list holds the whole group', () => {
    const root = linked()
    const lists = [0, 1, 2, 3].map((i) => new FileList(join(root, `l${i}`)))
    walkTree(`${join(root, 'src')}/`, '', balancer(lists, true))
    for (const l of lists) l.close()
    expect(lists.map(read).filter((l) => names.some((n) => l.includes(n)))).toEqual([expect.arrayContaining(names)])
  })

  it('--shard: one shard holds the whole group, the one its first name hashes to', () => {
    const root = linked()
    // without -H the names would be spread by their own hashes
    expect(new Set(names.map((n) => shardOf(n, 8))).size).toBeGreaterThan(1)
    const parts = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => {
      const got: string[] = []
      walkTree(
        `${join(root, 'src')}/`,
        '',
        inShard(i, 8, (e) => void got.push(e.rel.toString()), true),
      )
      return got.filter((p) => names.includes(p))
    })
    expect(parts[shardOf('c/h1', 8)]).toEqual(names)
    expect(parts.flat()).toHaveLength(names.length)
  })
})

describe("walkTree: names are bytes, and a changing tree is rsync's to report (spec §9)", () => {
  it('lists a name that is not valid UTF-8 byte for byte', () => {
    const root = mkdtempSync(join(tmpdir(), 'walk-bytes-'))
    try {
      const name = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]) // "caf\xe9.txt"
      writeFileSync(Buffer.concat([Buffer.from(`${root}/`), name]), 'latin-1')
      const list = new FileList(join(root, 'list'))
      walkTree(`${root}/`, '', (e) => list.add(e.rel))
      list.close()
      const listed = readFileSync(join(root, 'list')).subarray(0, name.length)
      expect(Buffer.compare(listed, name)).toBe(0)
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})
