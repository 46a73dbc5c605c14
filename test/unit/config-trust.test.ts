import {execFileSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {loadConfig, type LoadConfigOptions} from '../../src/core/config/load.js'
import {isTransporterError} from '../../src/core/codes/errors.js'

const NOBODY = 65534

let root: string
/** the directory a run starts in; `root` is its parent */
let cwd: string
let xdg: string
let etc: string
/** a file a config writes when it is executed */
let marker: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'transporter-trust-'))
  cwd = join(root, 'work')
  xdg = join(root, 'xdg')
  etc = join(root, 'etc')
  marker = join(root, 'executed')
  for (const d of [cwd, xdg, etc]) mkdirSync(d)
})
afterEach(() => rmSync(root, {recursive: true, force: true}))

function write(path: string, text: string, mode = 0o644): string {
  mkdirSync(join(path, '..'), {recursive: true})
  writeFileSync(path, text)
  chmodSync(path, mode)
  return path
}

/** A JS config that leaves a marker behind when it runs. */
function codeThatMarks(): string {
  return `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\nmodule.exports = {retry: 'backoff'}\n`
}

function load(over: Partial<LoadConfigOptions> = {}) {
  return loadConfig({cwd, env: {XDG_CONFIG_HOME: xdg, HOME: join(root, 'home')}, systemDir: etc, ...over})
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isTransporterError(error), 'expected a TransporterError').toBe(true)
  if (!isTransporterError(error)) return ''
  expect(error.exitCode).toBe(22)
  expect(error.kind).toBe('config')
  return error.message
}

describe('config discovery: only places the operator controls (spec §7)', () => {
  it('never reads or runs a config in a parent directory', async () => {
    write(join(root, '.transporterrc.cjs'), codeThatMarks())
    write(join(root, '.transporterrc.yaml'), 'retry: backoff\n')
    const cfg = await load()
    expect(cfg.filepath).toBeUndefined()
    expect(existsSync(marker)).toBe(false)
  })

  it('never runs cosmiconfig meta config (.config/config.*), with or without --config', async () => {
    write(join(cwd, '.config', 'config.cjs'), codeThatMarks())
    write(join(cwd, '.config', 'config.mjs'), `import {writeFileSync} from 'node:fs'\nwriteFileSync(${JSON.stringify(marker)}, 'ran')\nexport default {}\n`)
    write(join(cwd, 'package.json'), JSON.stringify({cosmiconfig: {searchPlaces: ['evil.cjs']}}))
    write(join(cwd, 'evil.cjs'), codeThatMarks())
    expect((await load()).filepath).toBeUndefined()
    const chosen = write(join(root, 'chosen.yaml'), 'retry: default\n')
    expect((await load({file: chosen})).filepath).toBe(chosen)
    expect(existsSync(marker)).toBe(false)
  })

  it('a malformed .config/config.json or package.json of another tool breaks nothing', async () => {
    write(join(cwd, '.config', 'config.json'), '{not json')
    write(join(cwd, 'package.json'), '{broken')
    expect((await load()).filepath).toBeUndefined()
  })

  it('looks in the cwd, then $XDG_CONFIG_HOME/transporter, then /etc/transporter', async () => {
    const system = write(join(etc, 'config.yaml'), 'retry: default\n')
    expect((await load()).filepath).toBe(system)
    const user = write(join(xdg, 'transporter', 'config.json'), '{"retry": "backoff"}')
    expect((await load()).filepath).toBe(user)
    const local = write(join(cwd, '.transporterrc.yml'), 'retry: backoff\n')
    expect((await load()).filepath).toBe(local)
  })

  it('without XDG_CONFIG_HOME the user directory is ~/.config/transporter', async () => {
    const home = join(root, 'home')
    const file = write(join(home, '.config', 'transporter', 'config.yml'), 'retry: backoff\n')
    const cfg = await loadConfig({cwd, env: {HOME: home}, systemDir: etc})
    expect(cfg.filepath).toBe(file)
  })

  it('--config loads exactly that file even when the cwd has one', async () => {
    write(join(cwd, '.transporterrc.yaml'), 'retry: backoff\n')
    const chosen = write(join(root, 'ops.yaml'), 'retry: default\n')
    const cfg = await load({file: chosen})
    expect(cfg.filepath).toBe(chosen)
    expect(cfg.retry?.id).toBe('default')
  })
})

describe('config trust: refused unless only its owner (us or root) can write it', () => {
  it('a config writable by group and others → 22 naming the file and why, and nothing runs', async () => {
    const file = write(join(cwd, '.transporterrc.cjs'), codeThatMarks(), 0o666)
    const message = await refusal(load())
    expect(message).toBe(`config ${file}: refused: the file is writable by group and others (mode 0666)`)
    expect(existsSync(marker)).toBe(false)
  })

  it('a config owned by another user → 22', async () => {
    const file = write(join(cwd, '.transporterrc.yaml'), 'rsync: {path: /tmp/evil}\n')
    chownSync(file, NOBODY, NOBODY)
    expect(await refusal(load())).toBe(`config ${file}: refused: the file is owned by uid ${NOBODY}, not by uid 0 or root`)
  })

  it('a config in a world-writable directory (even sticky, like /tmp) → 22', async () => {
    const file = write(join(cwd, '.transporterrc.yaml'), 'retry: backoff\n')
    chmodSync(cwd, 0o1777)
    expect(await refusal(load())).toBe(`config ${file}: refused: its directory is writable by group and others (mode 1777)`)
  })

  it('a 0777 directory on a read-only mount (a Kubernetes ConfigMap volume) is fine: nobody can write there', async () => {
    const mnt = join(root, 'configmap')
    mkdirSync(mnt)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0777', 'tmpfs', mnt])
    try {
      const data = join(mnt, '..data')
      const file = write(join(data, 'config.yaml'), 'retry: backoff\n')
      symlinkSync('..data/config.yaml', join(mnt, 'config.yaml'))
      expect(await refusal(load({systemDir: mnt}))).toContain('its directory is writable by group and others (mode 0777)')
      execFileSync('mount', ['-o', 'remount,ro', mnt])
      const cfg = await load({systemDir: mnt})
      expect(cfg.filepath).toBe(join(mnt, 'config.yaml'))
      expect(cfg.trusted).toBe(true)
      expect(file).toBe(join(data, 'config.yaml'))
    } finally {
      execFileSync('umount', [mnt])
    }
  })

  it('--config obeys the same rule', async () => {
    const file = write(join(root, 'ops.yaml'), 'retry: backoff\n', 0o620)
    expect(await refusal(load({file}))).toBe(`config ${file}: refused: the file is writable by group (mode 0620)`)
  })

  it('a symlink is judged by the file it points at', async () => {
    const target = write(join(root, 'shared', 'real.yaml'), 'retry: backoff\n', 0o666)
    const link = join(cwd, '.transporterrc.yaml')
    symlinkSync(target, link)
    expect(await refusal(load())).toContain(`config ${link}: refused: the file is writable by group and others`)
  })

  it('TRANSPORTER_INSECURE_CONFIG=1 loads it, but not the options that name paths or the rsync binary', async () => {
    const env = {XDG_CONFIG_HOME: xdg, TRANSPORTER_INSECURE_CONFIG: '1'}
    const file = write(join(cwd, '.transporterrc.yaml'), 'retry: backoff\nrsync: {extraArgs: [-H, "--exclude=*.tmp"]}\n', 0o666)
    const cfg = await load({env})
    expect(cfg.filepath).toBe(file)
    expect(cfg.trusted).toBe(false)
    expect(cfg.rsync.extraArgs).toEqual(['-H', '--exclude=*.tmp'])

    write(file, 'rsync: {path: /usr/bin/rsync}\n', 0o666)
    expect(await refusal(load({env}))).toMatch(/rsync\.path is only accepted from a trusted config/)
    for (const arg of ['--log-file=/root/.bashrc', '--exclude-from=/etc/shadow', '--filter=merge /tmp/rules', '--filter=. /tmp/rules', '--backup-dir=/x']) {
      write(file, `rsync: {extraArgs: [${JSON.stringify(arg)}]}\n`, 0o666)
      expect(await refusal(load({env}))).toContain(`rsync.extraArgs[0]: ${JSON.stringify(arg)} names a path and is only accepted from a trusted config`)
    }
  })

  it('a trusted file may use path-valued rsync options', async () => {
    write(join(cwd, '.transporterrc.yaml'), 'rsync: {path: /usr/bin/rsync, extraArgs: ["--log-file=/var/log/t.log", "--filter=merge /etc/rules"]}\n')
    const cfg = await load()
    expect(cfg.trusted).toBe(true)
    expect(cfg.rsync).toEqual({path: '/usr/bin/rsync', extraArgs: ['--log-file=/var/log/t.log', '--filter=merge /etc/rules']})
  })

  it('rsync.extraArgs are checked when the config loads, naming the file', async () => {
    const file = write(join(cwd, '.transporterrc.yaml'), 'rsync: {extraArgs: [--daemon]}\n')
    expect(await refusal(load())).toMatch(new RegExp(`^config ${file}: rsync.extraArgs\\[0\\]: rsync option "--daemon" is not allowed`))
  })
})
