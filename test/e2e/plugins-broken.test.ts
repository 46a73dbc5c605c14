import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createPluginHome, type PluginHome} from '../helpers/plugin-home.js'
import {ROOT} from '../helpers/run-cli.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugins')

/** Each broken fixture, why it is broken, and an id that selects one of its components. */
const BROKEN = [
  {dir: 'throws', why: 'its transporter:register hook failed: fixture plugin exploded on purpose', selects: 'throws/anything'},
  {dir: 'hangs', why: 'its transporter:register hook did not answer within 5 s', selects: 'hangs/anything'},
  {dir: 'wrong-shape', why: 'reporters.shaped has no create() function', selects: 'shaped'},
  {dir: 'wrong-api', why: 'it speaks plugin API version 2, this transporter speaks 1', selects: 'future'},
] as const

const warningFor = (b: (typeof BROKEN)[number]) => `plugin transporter-plugin-${b.dir} is broken and was skipped: ${b.why}`

let home: PluginHome
let clean: PluginHome

beforeAll(async () => {
  home = createPluginHome()
  clean = createPluginHome()
  for (const dir of ['ok', ...BROKEN.map((b) => b.dir)]) await home.link(join(FIXTURES, dir))
  const listed = await home.run(['plugins'])
  for (const dir of ['ok', ...BROKEN.map((b) => b.dir)]) expect(listed.stdout).toContain(`transporter-plugin-${dir} 1.0.0 (link)`)
})

afterAll(() => {
  home?.cleanup()
  clean?.cleanup()
})

function tree(name: string): {src: string; dest: string} {
  const src = join(home.root, name, 'src')
  const dest = join(home.root, name, 'dest')
  mkdirSync(join(src, 'sub'), {recursive: true})
  mkdirSync(dest, {recursive: true})
  writeFileSync(join(src, 'a.txt'), 'alpha\n')
  writeFileSync(join(src, 'sub', 'b.txt'), 'beta\n')
  return {src: `${src}/`, dest}
}

describe('with every broken fixture plugin installed', () => {
  it('--help works and runs no plugin hook', async () => {
    const r = await home.run(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('copy')
    expect(r.stderr).not.toContain('broken')
  })

  it.each(['23', '13', '--all'])('explain-exit %s answers exactly as without plugins', async (arg) => {
    const [withPlugins, without] = await Promise.all([home.run(['explain-exit', arg]), clean.run(['explain-exit', arg])])
    expect(withPlugins.code).toBe(without.code)
    expect(withPlugins.stdout).toBe(without.stdout)
    expect(withPlugins.stderr).toBe(without.stderr)
  })

  it('classify warns once per broken plugin, applies the healthy plugin rule, and exits', async () => {
    const r = await home.run(['classify', '42', '--json'])
    expect(r.code).toBe(0) // the hanging hook keeps its event loop busy: transporter must exit anyway
    for (const b of BROKEN) expect(r.stderr.split(warningFor(b)).length - 1, r.stderr).toBe(1)
    const result = JSON.parse(r.stdout) as {rule: string; exitCode: number; class: string}
    expect(result).toMatchObject({rule: 'ok-fixture-42', exitCode: 30, class: 'fatal'})
  })

  it('copy warns about the broken plugins and still copies with the healthy one', async () => {
    const {src, dest} = tree('ok-copy')
    const events = join(home.root, 'ok-copy', 'events.ndjson')
    home.writeConfig(`reporters: [[events, {file: ${JSON.stringify(events)}}]]\nmountChecks: []\n`, 'ok.yaml')
    const r = await home.run(['copy', '--src', src, '--dest', dest, '--config', 'ok.yaml'])
    expect(r.code, r.stderr).toBe(0)
    for (const b of BROKEN) expect(r.stderr).toContain(warningFor(b))
    expect(readFileSync(join(dest, 'sub', 'b.txt'), 'utf8')).toBe('beta\n')
    const types = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as {type: string}).type)
    expect(types[0]).toBe('start')
    expect(types.at(-1)).toBe('done')
  })

  it.concurrent.each(BROKEN)('selecting a component of $dir is an error (22) before anything is copied', async (b) => {
    const {src, dest} = tree(`select-${b.dir}`)
    const config = join(home.project, `select-${b.dir}.yaml`)
    writeFileSync(config, `reporters: [console, ${b.selects}]\nmountChecks: []\n`)
    const r = await home.run(['copy', '--src', src, '--dest', dest, '--config', config])
    expect(r.code, r.stderr).toBe(22)
    expect(r.stderr).toContain(`config ${config}: reporters[1]: reporter "${b.selects}" is not available`)
    expect(r.stderr).toContain(`transporter-plugin-${b.dir} (${b.why})`)
    expect(readdirSync(dest)).toEqual([])
  })
})

describe('--json: a broken plugin the config selects is one outcome object (spec §8.4)', () => {
  it('prints exactly one JSON object with error.code E_PLUGIN and the config it loaded', async () => {
    const {src, dest} = tree('json-throws')
    const config = join(home.project, 'json-throws.yaml')
    writeFileSync(config, 'reporters: [console, throws/anything]\nmountChecks: []\n')
    const r = await home.run(['copy', '--src', src, '--dest', dest, '--config', config, '--json'])
    expect(r.code).toBe(22)
    const lines = r.stdout.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({exitCode: 22, class: 'usage', error: {code: 'E_PLUGIN'}, attempts: [], config})
  })
})
