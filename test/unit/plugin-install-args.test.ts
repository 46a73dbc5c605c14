import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {rewritePluginInstallArgs} from '../../src/cli/plugin-install-args.js'

let cwd: string
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'transporter-install-args-'))
  mkdirSync(join(cwd, 'my-plugin'))
  mkdirSync(join(cwd, 'plugins', 'prometheus'), {recursive: true})
  writeFileSync(join(cwd, 'x-1.0.0.tgz'), '')
  writeFileSync(join(cwd, 'notadir'), '')
})
afterAll(() => rmSync(cwd, {recursive: true, force: true}))

const rewrite = (...argv: string[]) => rewritePluginInstallArgs(argv, cwd)

describe('rewritePluginInstallArgs', () => {
  it('turns relative and absolute directories into file: specs', () => {
    expect(rewrite('plugins', 'install', './my-plugin')).toEqual(['plugins', 'install', `file:${cwd}/my-plugin`])
    expect(rewrite('plugins', 'install', `${cwd}/my-plugin/`)).toEqual(['plugins', 'install', `file:${cwd}/my-plugin`])
    expect(rewrite('plugins', 'install', 'plugins/prometheus')).toEqual(['plugins', 'install', `file:${cwd}/plugins/prometheus`])
    expect(rewrite('plugins', 'install', '../' + cwd.split('/').pop() + '/my-plugin')).toEqual(['plugins', 'install', `file:${cwd}/my-plugin`])
  })

  it('turns tarball paths into file: specs', () => {
    expect(rewrite('plugins', 'install', 'x-1.0.0.tgz')).toEqual(['plugins', 'install', `file:${cwd}/x-1.0.0.tgz`])
    expect(rewrite('plugins', 'install', '/abs/y.tar.gz')).toEqual(['plugins', 'install', 'file:/abs/y.tar.gz'])
  })

  it('works for every spelling of the install command and several arguments', () => {
    const expected = [`file:${cwd}/my-plugin`, 'some-package', `file:${cwd}/x-1.0.0.tgz`]
    for (const head of [['plugins', 'install'], ['plugins', 'add'], ['plugins:install'], ['plugins:add']]) {
      expect(rewrite(...head, './my-plugin', 'some-package', './x-1.0.0.tgz')).toEqual([...head, ...expected])
    }
  })

  it('leaves package names, flags, URLs, file: specs and missing paths alone', () => {
    const args = [
      'plugins',
      'install',
      '--force',
      '-s',
      'transporter-plugin-prometheus',
      '@acme/transporter-plugin-slack@1.2.0',
      'my-plugin',
      'oclif/plugin-version',
      'https://github.com/x/y',
      'file:./my-plugin',
      './missing-dir',
      './notadir',
    ]
    expect(rewrite(...args)).toEqual(args)
  })

  it('leaves every other command alone', () => {
    for (const argv of [['plugins', 'link', './my-plugin'], ['copy', '--src', './my-plugin'], ['install', './my-plugin'], [], ['plugins']]) {
      expect(rewrite(...argv)).toEqual(argv)
    }
  })
})
