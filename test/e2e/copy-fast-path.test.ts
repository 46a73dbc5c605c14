/**
 * `copy` without oclif (src/cli/fast-copy.ts, ADR 0012): the run after any
 * oclif run loads the plugins from the hook cache, and a plugin linked or
 * installed since sends the next copy through oclif again, which refreshes
 * the cache. Both paths give the same result.
 */
import {cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {createPluginHome} from '../helpers/plugin-home.js'
import {ROOT} from '../helpers/run-cli.js'
import {diffTrees} from '../helpers/trees.js'

const home = createPluginHome('transporter-fast-')
afterAll(() => home.cleanup())

const OCLIF = "plugins: from oclif's plugin discovery"
const CACHE = 'plugins: from the hook cache'

function tree(name: string): string {
  const src = join(home.root, name)
  mkdirSync(join(src, 'sub'), {recursive: true})
  writeFileSync(join(src, 'a.txt'), 'a\n')
  writeFileSync(join(src, 'sub', 'b.bin'), Buffer.alloc(10_000, 7))
  return src
}

describe('the copy path without oclif', () => {
  it('takes the hook cache after the first run, and oclif again once a plugin is linked', async () => {
    const src = tree('src')
    /** a copy into `dest` that succeeds, with its plugins from `from` (oclif's discovery or the hook cache) */
    const copy = async (dest: string, from: string) => {
      const r = await home.run(['copy', '--src', `${src}/`, '--dest', join(home.root, dest), '-v'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).toContain(from)
      return r
    }

    const first = await copy('d1', OCLIF)
    const second = await copy('d2', CACHE)
    for (const dest of ['d1', 'd2']) expect(diffTrees(src, join(home.root, dest))).toEqual([])
    // the same lines either way, apart from where the plugins came from and the timestamps
    const shape = (stderr: string) =>
      stderr
        .split('\n')
        .filter((l) => / INFO /.test(l))
        .map((l) => l.replace(/^\S+ /, '').replace(/, [\d.]+ s, .*$/, ''))
    expect(shape(second.stderr)).toEqual(shape(first.stderr))

    // a plugin linked since: the cache is stale, oclif finds the plugin, and the next run has it cached
    const pluginDir = join(home.root, 'plugin-ok')
    cpSync(join(ROOT, 'test', 'fixtures', 'plugins', 'ok'), pluginDir, {recursive: true})
    await home.link(pluginDir)
    home.writeConfig('reporters: [[ok/events, {file: events.ndjson}]]\nmountChecks: []\n')
    await copy('d3', OCLIF)
    await copy('d4', CACHE)
    const events = readFileSync(join(home.project, 'events.ndjson'), 'utf8').trim().split('\n')
    // both runs reported through the linked plugin's reporter
    expect(events.filter((l) => (JSON.parse(l) as {type: string}).type === 'done')).toHaveLength(2)
  })

  it('leaves help and values oclif refuses to oclif, with its messages', async () => {
    await home.run(['copy', '--src', '/nonexistent/', '--dest', join(home.root, 'x')]) // a run that writes the cache
    const help = await home.run(['copy', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--report-interval')
    const bad = await home.run(['copy', '--src', '/a', '--dest', '/b', '--log-level', 'loud'])
    expect(bad.code).toBe(22)
    expect(bad.stderr).toMatch(/--log-level/)
    expect(bad.stderr).toMatch(/error, warn, info, debug/)
  })
})

describe('help without oclif', () => {
  it('prints what oclif rendered for the same request, until discovery changes', async () => {
    const first = await home.run(['--help'])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('COMMANDS')
    const again = await home.run(['--help'])
    expect(again.stdout).toBe(first.stdout)

    // the cache is what answered: a marked text comes back as it is
    const dir = join(home.root, 'cache', 'transporter')
    const file = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('help-'))!,
    )
    const cache = JSON.parse(readFileSync(file, 'utf8')) as {texts: Record<string, string>}
    for (const key of Object.keys(cache.texts)) cache.texts[key] = `marked\n${cache.texts[key]}`
    writeFileSync(file, JSON.stringify(cache), {mode: 0o600})
    expect((await home.run(['--help'])).stdout).toBe(`marked\n${first.stdout}`)

    // another request, another text; a plugin installed since: oclif renders it again
    expect((await home.run(['copy', '--help'])).stdout).toContain('--report-interval')
    mkdirSync(join(home.root, 'data', 'transporter'), {recursive: true})
    writeFileSync(join(home.root, 'data', 'transporter', 'package.json'), '{"private": true, "oclif": {"plugins": []}}\n')
    expect((await home.run(['--help'])).stdout).toBe(first.stdout)
  })
})
