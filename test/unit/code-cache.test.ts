/**
 * V8's code cache for the start bundle (src/cli/code-cache.ts, as bundled in
 * dist/fast/code-cache.cjs), with real files. Every load runs in a fresh Node:
 * within one process V8's own compilation cache would answer first.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/run-cli.js'

const LOADER = join(ROOT, 'dist', 'fast', 'code-cache.cjs')
let dir: string
let bundle: string
const cacheDir = () => join(dir, 'cache', 'transporter')
const caches = () => readdirSync(cacheDir()).filter((f) => f.endsWith('.v8'))
const cacheBytes = () => readFileSync(join(cacheDir(), caches()[0]!))

/** Loads the bundle in a new Node through the loader, calls answer(x), saves; returns what answer said. */
function load(x: number, env: Record<string, string> = {XDG_CACHE_HOME: join(dir, 'cache')}): string {
  const script = `const m = require(${JSON.stringify(LOADER)}).requireWithCodeCache(${JSON.stringify(bundle)}, process.env); process.stdout.write(m.exports.answer(${x})); m.save()`
  return execFileSync(process.execPath, ['-e', script], {env: {PATH: process.env.PATH, HOME: dir, ...env}, encoding: 'utf8'})
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'code-cache-'))
  bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, "const path = require('node:path')\nexports.answer = (x) => path.join('a', String(x * 2))\n")
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('requireWithCodeCache', () => {
  it('loads the module like require, writes the cache once, then uses it', () => {
    expect(load(21)).toBe('a/42')
    expect(caches()).toHaveLength(1)
    const bytes = cacheBytes()
    expect(load(1)).toBe('a/2')
    // accepted by V8: nothing written again
    expect(cacheBytes().equals(bytes)).toBe(true)
  })

  it('a rebuilt bundle of the same size gets a new cache, and the old one goes', () => {
    load(1)
    const before = caches()
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('x * 2', 'x * 3'))
    expect(load(2)).toBe('a/6')
    expect(caches()).toHaveLength(1)
    expect(caches()).not.toEqual(before)
  })

  it('a cache V8 refuses is written anew; one others could have written is not used', () => {
    load(1)
    const cache = join(cacheDir(), caches()[0]!)
    const garbage = Buffer.alloc(4096, 0xab)
    writeFileSync(cache, garbage)
    expect(load(5)).toBe('a/10')
    expect(readFileSync(cache).equals(garbage)).toBe(false)

    writeFileSync(cache, garbage)
    chmodSync(cache, 0o666)
    expect(load(4)).toBe('a/8')
    // not trusted, so not read: written anew, private again
    expect(readFileSync(cache).equals(garbage)).toBe(false)
  })

  it('without a writable cache directory the module loads all the same', () => {
    expect(load(0, {TRANSPORTER_CACHE_DIR: '/proc/no-such-dir'})).toBe('a/0')
  })
})
