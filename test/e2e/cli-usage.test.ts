import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

describe('an unknown command or help topic is a usage error with a suggestion (spec §8.4)', () => {
  it.concurrent.each([
    [['cpy'], 'unknown command "cpy"', 'did you mean `transporter copy`?'],
    [['version'], 'unknown command "version"', 'did you mean `transporter --version`?'],
    [['help', 'cpy'], 'unknown command "cpy"', 'did you mean `transporter copy`?'],
    [['plugins', 'instal'], 'unknown command "plugins instal"', 'did you mean `transporter plugins install`?'],
  ])('%j → 22', async (args, message, hint) => {
    const r = await runCli(args)
    expect(r.code).toBe(22)
    expect(r.stderr).toBe(`Error: ${message}\nHint: ${hint} See \`transporter --help\` for usage.\n`)
    expect(r.stdout).toBe('')
  })

  it('says no more than it knows when nothing is close', async () => {
    const r = await runCli(['zzzzzzzz'])
    expect(r.code).toBe(22)
    expect(r.stderr).toBe('Error: unknown command "zzzzzzzz"\nHint: See `transporter --help` for usage.\n')
  })

  it('--json: one outcome object with E_USAGE', async () => {
    const r = await runCli(['cpy', '--json'])
    expect(r.code).toBe(22)
    expect(JSON.parse(r.stdout)).toMatchObject({exitCode: 22, class: 'usage', error: {code: 'E_USAGE', message: 'unknown command "cpy"'}})
  })
})

describe('shell completion (@oclif/plugin-autocomplete)', () => {
  it('builds bash and zsh completions that know copy and its flags', async () => {
    const home = mkdtempSync(join(tmpdir(), 'transporter-complete-'))
    try {
      const r = await runCli(['autocomplete', '--refresh-cache'], {env: {HOME: home, XDG_CACHE_HOME: home}})
      expect(r.code, r.stderr).toBe(0)
      const bash = readFileSync(join(home, 'transporter', 'autocomplete', 'functions', 'bash', 'transporter.bash'), 'utf8')
      expect(bash).toContain('copy')
      expect(bash).toContain('--dest-dir')
      expect(bash).toContain('--exclude')
      const zsh = readFileSync(join(home, 'transporter', 'autocomplete', 'functions', 'zsh', '_transporter'), 'utf8')
      expect(zsh).toContain('explain-exit')
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })
})
