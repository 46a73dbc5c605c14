/**
 * The hook cache (src/cli/hook-cache.ts) and the hooks it runs
 * (src/cli/cached-host.ts), against real files: a plugin tree on disk and a
 * Config-shaped record of what oclif found there.
 */
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Config} from '@oclif/core'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {cachedHost} from '../../src/cli/cached-host.js'
import {hookCachePath, readHookCache, writeHookCache} from '../../src/cli/hook-cache.js'

let dir: string
let env: Record<string, string>
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hook-cache-'))
  env = {HOME: join(dir, 'home')}
  mkdirSync(join(dir, 'home'))
  mkdirSync(join(dir, 'root'))
  writeFileSync(join(dir, 'root', 'package.json'), '{"name": "transporter", "version": "9.9.9"}\n')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

interface FakePlugin {
  name: string
  esm?: boolean
  /** file name → source */
  files?: Record<string, string>
  hooks?: Record<string, Array<{target: string; identifier: string}>>
}

function plugin(p: FakePlugin) {
  const root = join(dir, 'plugins', p.name)
  mkdirSync(root, {recursive: true})
  writeFileSync(join(root, 'package.json'), JSON.stringify({name: p.name, ...(p.esm === false ? {} : {type: 'module'})}))
  for (const [file, source] of Object.entries(p.files ?? {})) writeFileSync(join(root, file), source)
  return {name: p.name, root, moduleType: p.esm === false ? 'commonjs' : 'module', hooks: p.hooks ?? {}}
}

/** What oclif's Config offers the writer. */
function oclifConfig(plugins: ReturnType<typeof plugin>[]): Config {
  return {
    root: join(dir, 'root'),
    version: '9.9.9',
    dataDir: join(env.HOME!, '.local/share/transporter'),
    getPluginsList: () => plugins,
  } as unknown as Config
}

const register = (target = './register.js') => ({'transporter:register': [{target, identifier: 'default'}]})
const esmHook = (answer: string) => ({'register.js': `export default async function (opts) { return {answer: ${JSON.stringify(answer)}, opts} }\n`})

describe('the hook cache', () => {
  it('records the plugins that answer the register hook, and reads them back while nothing changed', () => {
    const plugins = [plugin({name: 'a', files: esmHook('a'), hooks: register()}), plugin({name: 'no-hooks'})]
    writeHookCache(oclifConfig(plugins), env)
    const found = readHookCache(join(dir, 'root'), env)
    expect(found?.file).toBe(hookCachePath(join(dir, 'root'), env))
    expect(found?.cache.version).toBe('9.9.9')
    expect(found?.cache.plugins).toEqual([{name: 'a', root: plugins[0]!.root, hooks: [{target: './register.js', identifier: 'default', esm: true}]}])
  })

  it.each([
    ['a plugin package.json is rewritten', () => writeFileSync(join(dir, 'plugins', 'no-hooks', 'package.json'), '{"name": "no-hooks", "version": "2.0.0"}')],
    [
      'a plugin is installed (the data dir gets its package.json)',
      () => {
        mkdirSync(join(env.HOME!, '.local/share/transporter'), {recursive: true})
        writeFileSync(join(env.HOME!, '.local/share/transporter', 'package.json'), '{}')
      },
    ],
    ["transporter's own package.json only gets a new mtime", () => utimesSync(join(dir, 'root', 'package.json'), new Date(), new Date(Date.now() + 5000))],
    // npm gives every file it installs the same mtime; a new version may keep the size
    [
      'a plugin package.json changes in place, same size and mtime',
      () => {
        const file = join(dir, 'plugins', 'no-hooks', 'package.json')
        const {mtime} = statSync(file)
        writeFileSync(file, readFileSync(file, 'utf8').replace('no-hooks', 'no-hookz'))
        utimesSync(file, mtime, mtime)
      },
    ],
    ['a plugin is removed', () => rmSync(join(dir, 'plugins', 'no-hooks'), {recursive: true})],
  ])('is stale when %s', (_what, change) => {
    writeHookCache(oclifConfig([plugin({name: 'a', files: esmHook('a'), hooks: register()}), plugin({name: 'no-hooks'})]), env)
    expect(readHookCache(join(dir, 'root'), env)).toBeDefined()
    change()
    expect(readHookCache(join(dir, 'root'), env)).toBeUndefined()
  })

  it('is another cache for another plugin data directory, and none for another install', () => {
    writeHookCache(oclifConfig([plugin({name: 'a', hooks: register()})]), env)
    expect(readHookCache(join(dir, 'root'), {...env, TRANSPORTER_DATA_DIR: join(dir, 'other-data')})).toBeUndefined()
    expect(readHookCache(join(dir, 'elsewhere'), env)).toBeUndefined()
  })

  it('is not written when a plugin has a hook oclif runs around every command (init, prerun, ...)', () => {
    writeHookCache(oclifConfig([plugin({name: 'a', hooks: {...register(), init: [{target: './init.js', identifier: 'default'}]}})]), env)
    expect(readHookCache(join(dir, 'root'), env)).toBeUndefined()
  })

  it('is ignored when others could have written it: it names modules to import', () => {
    writeHookCache(oclifConfig([plugin({name: 'a', hooks: register()})]), env)
    const file = hookCachePath(join(dir, 'root'), env)
    chmodSync(file, 0o666)
    expect(readHookCache(join(dir, 'root'), env)).toBeUndefined()
    chmodSync(file, 0o600)
    chmodSync(join(file, '..'), 0o777)
    expect(readHookCache(join(dir, 'root'), env)).toBeUndefined()
  })

  it('is not a failure when it cannot be written (a read-only home)', () => {
    env.TRANSPORTER_CACHE_DIR = '/proc/no-such-dir'
    expect(() => writeHookCache(oclifConfig([plugin({name: 'a', hooks: register()})]), env)).not.toThrow()
    expect(readHookCache(join(dir, 'root'), env)).toBeUndefined()
  })
})

describe('running the cached hooks', () => {
  const host = (plugins: ReturnType<typeof plugin>[]) => {
    writeHookCache(oclifConfig(plugins), env)
    const found = readHookCache(join(dir, 'root'), env)!
    return cachedHost(found.cache, found.file)
  }

  it('calls every kind of module the way oclif does, with the documented options only', async () => {
    const h = host([
      plugin({name: 'esm', files: esmHook('esm'), hooks: register()}),
      plugin({name: 'cjs-fn', esm: false, files: {'r.js': 'module.exports = async (opts) => ({answer: "cjs-fn", opts})\n'}, hooks: register('./r.js')}),
      plugin({
        name: 'cjs-default',
        esm: false,
        files: {'r.js': 'exports.default = async (opts) => ({answer: "cjs-default", opts})\n'},
        hooks: register('./r.js'),
      }),
      plugin({
        name: 'named',
        files: {'r.js': 'export const other = 1\nexport function mine(opts) { return {answer: "named", opts} }\n'},
        hooks: {'transporter:register': [{target: './r.js', identifier: 'mine'}]},
      }),
    ])
    expect(h.version).toBe('9.9.9')
    const answers = await h.runRegisterHook({apiVersion: 1}, 2000)
    expect(answers.failures).toEqual([])
    expect(answers.successes.map((s) => s.plugin).sort()).toEqual(['cjs-default', 'cjs-fn', 'esm', 'named'])
    for (const s of answers.successes) expect(s.result).toEqual({answer: s.plugin, opts: {apiVersion: 1}})
  })

  it('a hook that throws, a missing module and a hook that never answers are that plugin’s failures', async () => {
    const h = host([
      plugin({name: 'ok', files: esmHook('ok'), hooks: register()}),
      plugin({name: 'throws', files: {'register.js': 'export default () => { throw new Error("boom") }\n'}, hooks: register()}),
      plugin({name: 'missing', hooks: register('./gone.js')}),
      plugin({name: 'hangs', files: {'register.js': 'export default () => new Promise(() => {})\n'}, hooks: register()}),
    ])
    const answers = await h.runRegisterHook({apiVersion: 1}, 200)
    expect(answers.successes.map((s) => s.plugin)).toEqual(['ok'])
    const failures = Object.fromEntries(answers.failures.map((f) => [f.plugin, (f.error as Error).message]))
    expect(failures.throws).toBe('boom')
    expect(failures.missing).toMatch(/Cannot find module/)
    expect(failures.hangs).toBe('Timed out after 200 ms.')
  })
})
