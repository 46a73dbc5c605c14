import {describe, expect, it} from 'vitest'
import {classify} from '../../src/core/classify/classify.js'
import {SEED_RULES} from '../../src/core/classify/rules.js'
import {findErrnos} from '../../src/core/classify/stderr-errno.js'
import type {ClassifyRule, CopyClass} from '../../src/plugin-api.js'
import {SPEC_TABLE, loadSamples} from '../helpers/exit-tables.js'

describe('classify: the base table of spec §6', () => {
  it.each(SPEC_TABLE)('rsync $code → $cls, exit $exit', ({code, cls, exit}) => {
    const c = classify({code, stderr: ''})
    expect(c.class).toBe(cls)
    expect(c.exitCode).toBe(exit)
    expect(c.retryable).toBe(['partial', 'vanished', 'retryable'].includes(cls))
    expect(c.errno).toBeUndefined()
  })

  it('names the rule that decided', () => {
    expect(classify({code: 23, stderr: ''}).rule).toBe('code:23')
    expect(classify({code: 77, stderr: ''}).rule).toBe('default')
  })

  it('treats an rsync killed by a signal as retryable 255', () => {
    for (const input of [{code: -1, signal: 'SIGKILL'}, {code: -1}, {code: 20, signal: 'SIGTERM'}]) {
      const c = classify({...input, stderr: 'rsync: [receiver] write failed on "/d/f": No space left on device (28)\n'})
      expect(c).toMatchObject({class: 'retryable', exitCode: 255, retryable: true, rule: 'signal'})
    }
  })
})

describe('classify: errno refinement on real rsync 3.5.0 stderr', () => {
  const samples = loadSamples()

  it('has every recorded sample', () => {
    expect(samples.map((s) => s.file).sort()).toEqual(
      [
        'dest-parent-missing.txt',
        'name-too-long.txt',
        'no-space.txt',
        'permission-existing-dir.txt',
        'permission-new-dir.txt',
        'readonly-existing-dir.txt',
        'readonly-new-dir.txt',
        'source-missing.txt',
        'unknown-option.txt',
        'unreadable-source.txt',
      ].sort(),
    )
  })

  it.each(samples)('$file (rsync exit $code) → $expect.class, exit $expect.exitCode', (s) => {
    const c = classify({code: s.code, stderr: s.stderr})
    expect(c).toMatchObject(s.expect)
    expect(c.retryable).toBe(['partial', 'vanished', 'retryable'].includes(s.expect.class))
    if (s.expect.errno !== undefined) expect(c.rule).toMatch(new RegExp(`^errno:${s.expect.errno} E[A-Z]+$`))
  })
})

describe('classify: several errnos', () => {
  const line = (errno: number, text = 'failed'): string => `rsync: [receiver] mkstemp "/d/.f.XXXX" ${text}: x (${errno})`
  const tail = 'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1394) [sender=3.5.0]'

  it('the most severe fatal errno wins, wherever it appears', () => {
    const stderr = [line(28), line(13), line(2), tail].join('\n')
    expect(classify({code: 23, stderr})).toMatchObject({errno: 28, exitCode: 28, class: 'fatal'})
    const ro = [line(30), line(28), line(13), tail].join('\n')
    expect(classify({code: 23, stderr: ro})).toMatchObject({errno: 30, exitCode: 30, rule: 'errno:30 EROFS'})
  })

  it('a fatal errno beats a later retryable one', () => {
    const stderr = [line(13), line(2), line(5), tail].join('\n')
    expect(classify({code: 23, stderr})).toMatchObject({errno: 13, exitCode: 13, class: 'fatal', retryable: false})
  })

  it('without a fatal errno the last line decides', () => {
    expect(classify({code: 11, stderr: [line(2), line(116), tail].join('\n')})).toMatchObject({errno: 116, exitCode: 5})
    expect(classify({code: 11, stderr: [line(116), line(2), tail].join('\n')})).toMatchObject({errno: 2, exitCode: 2})
    expect(classify({code: 11, stderr: [line(116), line(16)].join('\n')})).toMatchObject({errno: 16, exitCode: 16})
  })

  it('errnos no rule names do not match', () => {
    const stderr = 'rsync: [sender] write error: Broken pipe (32)\n'
    expect(classify({code: 11, stderr})).toMatchObject({rule: 'code:11', exitCode: 5, errno: undefined})
  })

  it('only codes 3, 11 and 23 are refined', () => {
    for (const code of [0, 10, 12, 24, 30]) {
      const c = classify({code, stderr: line(28)})
      expect(c.errno).toBeUndefined()
      expect(c.rule).toBe(`code:${code}`)
    }
  })
})

describe('findErrnos', () => {
  it('reads the number at the end of rsync error lines, with any role tag or none', () => {
    const stderr = [
      'rsync: [receiver] mkstemp "/d/.f.XXXX" failed: Read-only file system (30)',
      'rsync: [Receiver] mkdir "/p/dst" failed: No such file or directory (2)',
      'rsync: [generator] recv_generator: mkdir "/d/sub" failed: Permission denied (13)',
      'rsync: change_dir "/x" failed: No such file or directory (2)',
      'rsync: [receiver] write failed on "x": No space left on device (28)\r',
      'rsync: [sender] write error: Broken pipe (32)',
    ].join('\n')
    expect(findErrnos(stderr).map((e) => e.errno)).toEqual([30, 2, 13, 2, 28, 32])
  })

  it('never reads the text, rsync summary lines or numbers inside paths', () => {
    const stderr = [
      'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1394) [sender=3.5.0]',
      'rsync warning: some files vanished before they could be transferred (code 24) at main.c(1338) [sender=3.5.0]',
      'rsync: connection unexpectedly closed (0 bytes received so far) [sender]',
      'file has vanished: "/src/a (28)"',
      'rsync: [sender] send_files failed to open "/src/b (28)": Permission denied (13)',
      'No space left on device',
    ].join('\n')
    expect(findErrnos(stderr)).toEqual([{errno: 13, line: 'rsync: [sender] send_files failed to open "/src/b (28)": Permission denied (13)'}])
  })
})

describe('classify: rules are data', () => {
  const rule = (r: Partial<ClassifyRule> & {id: string; class: CopyClass; exitCode: number}): ClassifyRule => r

  it('a later code rule wins over the seed', () => {
    const rules = [...SEED_RULES, rule({id: 'config:24', codes: [24], class: 'fatal', exitCode: 255})]
    expect(classify({code: 24, stderr: ''}, rules)).toMatchObject({class: 'fatal', exitCode: 255, rule: 'config:24'})
    expect(classify({code: 23, stderr: ''}, rules).rule).toBe('code:23')
  })

  it('a later errno rule overrides the seed one for the same errno', () => {
    const rules = [...SEED_RULES, rule({id: 'plugin:enospc', codes: [11], errnos: [28], class: 'retryable', exitCode: 28})]
    const stderr = 'rsync: [receiver] write failed on "x": No space left on device (28)'
    expect(classify({code: 11, stderr}, rules)).toMatchObject({class: 'retryable', retryable: true, rule: 'plugin:enospc'})
    expect(classify({code: 23, stderr}, rules)).toMatchObject({class: 'fatal', rule: 'errno:28 ENOSPC'})
  })

  it('a plugin errno rule can add an errno and a severity', () => {
    const rules = [...SEED_RULES, rule({id: 'acme:emfile', errnos: [24], class: 'fatal', exitCode: 255, severity: 99})]
    const stderr = ['rsync: [receiver] x failed: y (30)', 'rsync: [receiver] open failed: Too many open files (24)'].join('\n')
    expect(classify({code: 23, stderr}, rules)).toMatchObject({errno: 24, exitCode: 255, rule: 'acme:emfile'})
  })

  it('works without the seed rules: unknown codes fall back to retryable 255', () => {
    expect(classify({code: 0, stderr: ''}, [])).toMatchObject({class: 'retryable', exitCode: 255, rule: 'default'})
  })

  it('the seed rules are frozen', () => {
    expect(Object.isFrozen(SEED_RULES)).toBe(true)
  })
})
