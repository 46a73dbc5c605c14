import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/run-cli.js'

// `npm pack` → `npm install -g <tarball>` on a clean prefix → the installed
// binary works from any directory, with the bundled default plugin.
const work = mkdtempSync(join(tmpdir(), 'transporter-pack-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

describe('packaging', () => {
  it('the packed tarball installs globally and runs explain-exit and a copy', () => {
    const env = {...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false'}
    // --ignore-scripts: prepack would rebuild dist/ under the feet of the tests running beside this one
    // (the global set-up already built it); the oclif manifest it adds is an optimisation only.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {cwd: ROOT, env, stdio: 'pipe'})
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!
    expect(tarball).toMatch(/^transporter-\d+\.\d+\.\d+\.tgz$/)
    const prefix = join(work, 'prefix')
    execFileSync('npm', ['install', '-g', '--prefix', prefix, join(work, tarball)], {cwd: work, env, stdio: 'pipe'})
    const bin = join(prefix, 'bin/transporter')
    const explained = execFileSync(bin, ['explain-exit', '13'], {cwd: tmpdir(), encoding: 'utf8'})
    expect(explained.split('\n')[0]).toBe('13 ErrPermissionDenied')
    // the default plugin is bundled: a real copy needs its reporters, retry policy and mount check
    const src = join(work, 'src')
    execFileSync('mkdir', ['-p', join(src, 'a')])
    execFileSync('sh', ['-c', `echo hello > '${src}/a/f.txt'`])
    const out = execFileSync(bin, ['-dest-dir', '-src', `${src}/`, '-dest', join(work, 'dst'), '--json'], {cwd: tmpdir(), encoding: 'utf8'})
    expect(JSON.parse(out)).toMatchObject({exitCode: 0, class: 'ok'})
    expect(execFileSync('cat', [join(work, 'dst/a/f.txt')], {encoding: 'utf8'})).toBe('hello\n')

    // from the tarball too, a copy after the first starts without oclif, and help comes from its cache
    const home = {...process.env, XDG_CACHE_HOME: join(work, 'cache'), XDG_DATA_HOME: join(work, 'data')}
    const run = (args: string[]) => spawnSync(bin, args, {cwd: tmpdir(), encoding: 'utf8', env: home})
    const copy = () => run(['copy', '--src', `${src}/`, '--dest', join(work, 'dst2'), '-v'])
    expect(copy().stderr).toContain("plugins: from oclif's plugin discovery")
    const second = copy()
    expect(second.status).toBe(0)
    expect(second.stderr).toContain('plugins: from the hook cache')
    const help = run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('explain-exit')
    expect(run(['--help']).stdout).toBe(help.stdout)
    expect(readdirSync(join(work, 'cache', 'transporter')).some((f) => f.startsWith('help-'))).toBe(true)
    // commands that stay on oclif
    expect(run(['plugins']).status).toBe(0)
    const typo = run(['cpy'])
    expect(typo.status).toBe(22)
    expect(typo.stderr).toContain('transporter copy')
  }, 300_000)
})
