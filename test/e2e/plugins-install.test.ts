import {execFileSync} from 'node:child_process'
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {createPluginHome, type PluginHome} from '../helpers/plugin-home.js'
import {ROOT} from '../helpers/run-cli.js'

// `transporter plugins install <local path>`: @oclif/plugin-plugins alone would
// read `./dir` as a GitHub repo; transporter hands it a file: spec instead.
const OK_FIXTURE = join(ROOT, 'test', 'fixtures', 'plugins', 'ok')
const homes: PluginHome[] = []
afterAll(() => {
  for (const home of homes) home.cleanup()
})

async function installAndUse(arg: (home: PluginHome) => string): Promise<void> {
  const home = createPluginHome('transporter-install-')
  homes.push(home)
  // a private copy, so the install never writes into the repository
  const pluginDir = join(home.project, 'my-plugin')
  cpSync(OK_FIXTURE, pluginDir, {recursive: true})
  const install = await home.run(['plugins', 'install', arg(home)], {timeoutMs: 120_000})
  expect(install.code, install.stderr).toBe(0)
  expect(install.stderr).toContain('installed v1.0.0')
  const listed = await home.run(['plugins'])
  expect(listed.stdout).toContain('transporter-plugin-ok 1.0.0')

  // the installed plugin's reporter is used by a real copy
  const src = join(home.root, 'src')
  mkdirSync(src)
  writeFileSync(join(src, 'f.txt'), 'x\n')
  home.writeConfig('reporters: [[ok/events, {file: events.ndjson}]]\nmountChecks: []\n')
  const copy = await home.run(['copy', '--src', `${src}/`, '--dest', join(home.root, 'dest'), '--dest-dir'])
  expect(copy.code, copy.stderr).toBe(0)
  const types = readFileSync(join(home.project, 'events.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as {type: string}).type)
  expect(types).toEqual(expect.arrayContaining(['start', 'attempt-start', 'attempt-end', 'done']))
}

describe('plugins install from a local path', () => {
  it.concurrent('a relative directory (./my-plugin)', () => installAndUse(() => './my-plugin'))

  it.concurrent('an absolute directory', () => installAndUse((home) => join(home.project, 'my-plugin')))

  it.concurrent('an absolute .tgz made by npm pack', () =>
    installAndUse((home) => {
      const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', home.root, join(home.project, 'my-plugin')], {
        cwd: home.root,
        env: {...process.env, ...home.env} as NodeJS.ProcessEnv,
        encoding: 'utf8',
      })
      return join(home.root, name.trim().split('\n').at(-1)!)
    }),
  )
})
