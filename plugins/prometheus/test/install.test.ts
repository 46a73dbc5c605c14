import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../../../test/helpers/capture-server.js'
import {createPluginHome, type PluginHome} from '../../../test/helpers/plugin-home.js'
import {startRegistry} from '../../../test/helpers/verdaccio.js'
import {parseTextfile, valuesOf} from './parse-textfile.js'

// End to end: the plugin linked, then packed and installed, selected in a
// project's .transporterrc.yaml, reporting a real rsync copy.
const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url))

let server: CaptureServer
const homes: PluginHome[] = []

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build'], {cwd: PLUGIN_DIR, stdio: 'pipe'})
  server = await startCaptureServer()
})
afterAll(async () => {
  await server?.close()
  for (const home of homes) home.cleanup()
})

function newHome(): PluginHome {
  const home = createPluginHome('transporter-prometheus-e2e-')
  homes.push(home)
  return home
}

function makeTree(home: PluginHome): {src: string; dest: string} {
  const src = join(home.root, 'src')
  mkdirSync(join(src, 'sub'), {recursive: true})
  writeFileSync(join(src, 'a.txt'), 'alpha\n')
  writeFileSync(join(src, 'sub', 'b.txt'), 'beta beta\n')
  writeFileSync(join(src, 'sub', 'c.txt'), 'gamma gamma gamma\n')
  return {src: `${src}/`, dest: join(home.root, 'dest')}
}

const CONFIG = `reporters:
  - [prometheus/textfile, {file: metrics/transporter.prom, labels: {job: e2e}}]
mountChecks: []
`

/** `progress`: with http progress reports (live progress on); without, the no-terminal copy the textfile still counts. */
async function copyAndRead(home: PluginHome, src: string, dest: string, progress = true, env: Record<string, string> = {}) {
  mkdirSync(join(home.project, 'metrics'), {recursive: true})
  home.writeConfig(CONFIG)
  const reports = progress ? ['--progress', '--report-addr', server.url, '--report-interval', '1'] : []
  const r = await home.run(['copy', '--src', src, '--dest', dest, '--dest-dir', ...reports], {env})
  const file = join(home.project, 'metrics', 'transporter.prom')
  expect(existsSync(file), `no textfile written; stderr: ${r.stderr}`).toBe(true)
  return {r, metrics: parseTextfile(readFileSync(file, 'utf8'))}
}

function expectSuccessfulCopyMetrics(metrics: ReturnType<typeof parseTextfile>, src: string, dest: string) {
  expect(valuesOf(metrics)).toMatchObject({
    transporter_success: 1,
    transporter_last_exit_code: 0,
    transporter_files_transferred: 3,
    // rsync's counts: 3 regular files; the total also counts src itself and sub/
    transporter_files_total: 5,
    transporter_bytes_transferred: 'alpha\n'.length + 'beta beta\n'.length + 'gamma gamma gamma\n'.length,
    transporter_attempts_total: 1,
    transporter_duration_seconds: expect.toSatisfy((n: number) => n > 0),
    transporter_last_run_timestamp_seconds: expect.toSatisfy((n: number) => n > 1_600_000_000),
  })
  expect(metrics.samples.get('transporter_success')?.labels).toEqual({src, dest, job: 'e2e'})
}

describe('transporter-plugin-prometheus end to end', () => {
  it('linked: a real copy without --progress or a terminal writes the textfile with the real counts', async () => {
    const home = newHome()
    await home.link(PLUGIN_DIR)
    const {src, dest} = makeTree(home)
    const {r, metrics} = await copyAndRead(home, src, dest, false)
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(dest, 'sub', 'c.txt'), 'utf8')).toBe('gamma gamma gamma\n')
    expectSuccessfulCopyMetrics(metrics, src, dest)
  })

  it('linked: a failing copy records the exit code, success 0 and every attempt', async () => {
    const home = newHome()
    await home.link(PLUGIN_DIR)
    const src = join(home.root, 'does-not-exist')
    const {r, metrics} = await copyAndRead(home, src, join(home.root, 'dest'))
    expect(r.code).not.toBe(0)
    expect(metrics.samples.get('transporter_success')?.value).toBe(0)
    expect(metrics.samples.get('transporter_last_exit_code')?.value).toBe(r.code)
    expect(metrics.samples.get('transporter_attempts_total')?.value).toBeGreaterThanOrEqual(1)
  })

  it('linked: a bad option is a config error (22) naming the file, the entry and the option', async () => {
    const home = newHome()
    await home.link(PLUGIN_DIR)
    const {src, dest} = makeTree(home)
    const config = home.writeConfig('reporters: [console, [textfile, {labels: {job: x}}]]\nmountChecks: []\n')
    const r = await home.run(['copy', '--src', src, '--dest', dest])
    expect(r.code).toBe(22)
    expect(r.stderr).toContain(`config ${config}: reporters[1]: reporter "textfile": option "file" is required`)
    expect(existsSync(dest)).toBe(false)
  })

  it('packed and installed from the tarball: the same copy writes the same metrics', async () => {
    const home = newHome()
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', home.root], {
      cwd: PLUGIN_DIR,
      env: {...process.env, ...home.env} as NodeJS.ProcessEnv,
      encoding: 'utf8',
    })
    const tarball = packed.trim().split('\n').at(-1)!
    // a relative tarball path: transporter turns it into file:<absolute path> for oclif
    const install = await home.run(['plugins', 'install', `../${tarball}`], {timeoutMs: 120_000})
    expect(install.code, install.stderr).toBe(0)
    expect(install.stderr).not.toContain('Warning')
    const listed = await home.run(['plugins'])
    expect(listed.stdout).toContain('transporter-plugin-prometheus 0.1.0')
    expect(listed.stdout).not.toContain('(link)')
    const {src, dest} = makeTree(home)
    const {r, metrics} = await copyAndRead(home, src, dest)
    expect(r.code, r.stderr).toBe(0)
    expectSuccessfulCopyMetrics(metrics, src, dest)
  })

  it("published to a private registry and installed by name (TRANSPORTER_NPM_REGISTRY, or npm's configured registry): a 100-file copy without a terminal writes files_transferred 100", async () => {
    const home = newHome()
    const registry = await startRegistry(join(home.root, 'registry'))
    try {
      await registry.publish(PLUGIN_DIR)
      mkdirSync(join(home.root, 'home'))
      // npm sees a private HOME and config, and anything but 127.0.0.1 meets a dead proxy. npm's own
      // registry setting is a dead port here, so only TRANSPORTER_NPM_REGISTRY can make the install work.
      const env = {...registry.npmEnv, npm_config_registry: 'http://127.0.0.1:9/', TRANSPORTER_NPM_REGISTRY: registry.url, HOME: join(home.root, 'home')}
      const install = await home.run(['plugins', 'install', 'transporter-plugin-prometheus'], {env, timeoutMs: 120_000})
      expect(install.code, install.stderr).toBe(0)
      const listed = await home.run(['plugins'], {env})
      expect(listed.stdout).toContain('transporter-plugin-prometheus 0.1.0')
      expect(listed.stdout).not.toContain('(link)')
      // what was installed is the tarball the registry serves for that name
      const served = (await (await fetch(`${registry.url}transporter-plugin-prometheus`)).json()) as {versions: Record<string, {dist: {integrity: string}}>}
      const lock = JSON.parse(readFileSync(join(home.env.XDG_DATA_HOME!, 'transporter', 'package-lock.json'), 'utf8')) as {
        packages: Record<string, {integrity?: string}>
      }
      expect(lock.packages['node_modules/transporter-plugin-prometheus']?.integrity).toBe(served.versions['0.1.0']?.dist.integrity)

      const src = join(home.root, 'many')
      for (let d = 0; d < 4; d++) mkdirSync(join(src, `d${d}`), {recursive: true})
      let bytes = 0
      for (let i = 0; i < 100; i++) {
        writeFileSync(join(src, `d${i % 4}`, `f${i}.txt`), `file ${i}\n`)
        bytes += `file ${i}\n`.length
      }
      const {r, metrics} = await copyAndRead(home, `${src}/`, join(home.root, 'dest-100'), false, env)
      expect(r.code, r.stderr).toBe(0)
      expect(valuesOf(metrics)).toMatchObject({
        transporter_success: 1,
        transporter_files_transferred: 100,
        transporter_files_total: 100 + 4 + 1,
        transporter_bytes_transferred: bytes,
      })

      // without TRANSPORTER_NPM_REGISTRY, the registry npm is configured with
      const uninstall = await home.run(['plugins', 'uninstall', 'transporter-plugin-prometheus'], {env})
      expect(uninstall.code, uninstall.stderr).toBe(0)
      const npmConfigured = {...registry.npmEnv, HOME: env.HOME}
      const again = await home.run(['plugins', 'install', 'transporter-plugin-prometheus'], {env: npmConfigured, timeoutMs: 120_000})
      expect(again.code, again.stderr).toBe(0)
      expect((await home.run(['plugins'], {env: npmConfigured})).stdout).toContain('transporter-plugin-prometheus 0.1.0')
    } finally {
      await registry.close()
    }
  })
})
