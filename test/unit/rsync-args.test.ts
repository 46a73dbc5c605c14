/** The argv rsync gets and what a config may add to it (spec §5), in process. */
import {describe, expect, test} from 'vitest'
import {buildRsyncArgs, pathValuedOption, readsRuleFiles, validateExtraArgs} from '../../src/core/rsync/args.js'
import {thrown} from '../helpers/thrown.js'

describe('buildRsyncArgs: the exact argv', () => {
  test.each<[string, Parameters<typeof buildRsyncArgs>[0], string[]]>([
    ['plain', {src: '/a/', dest: '/b', progress: false, extraArgs: []}, ['-rlptgo', '--partial', '--info=stats2', '--', '/a/', '/b']],
    ['live progress', {src: '/a', dest: '/b/', progress: true, extraArgs: []}, ['-rlptgo', '--partial', '--info=progress2', '--', '/a', '/b/']],
    [
      'dry run',
      {src: '/a', dest: '/b', progress: false, extraArgs: [], dryRun: true},
      ['-rlptgo', '--partial', '--info=stats2', '--dry-run', '--out-format=transporter would transfer: %i %n%L', '--', '/a', '/b'],
    ],
    [
      'extra args between the options and the guard',
      {src: '/a', dest: '/b', progress: false, extraArgs: ['--bwlimit=50m', '--exclude=*.tmp', '-HAX']},
      ['-rlptgo', '--partial', '--info=stats2', '--bwlimit=50m', '--exclude=*.tmp', '-HAX', '--', '/a', '/b'],
    ],
    [
      'a files-from list: no -r, NUL-separated',
      {src: '/a/', dest: '/b', progress: true, extraArgs: ['-H'], filesFrom: '/tmp/list'},
      ['-lptgo', '--partial', '--info=progress2', '--files-from=/tmp/list', '--from0', '-H', '--', '/a/', '/b'],
    ],
    [
      'paths that look like options stay after the guard',
      {src: '/-r x/', dest: '/--delete', progress: false, extraArgs: []},
      ['-rlptgo', '--partial', '--info=stats2', '--', '/-r x/', '/--delete'],
    ],
  ])('%s', (_, input, argv) => {
    expect(buildRsyncArgs(input)).toEqual(argv)
  })
})

describe('validateExtraArgs', () => {
  test.each([['--bwlimit=50m'], ['--exclude=*.tmp'], ['-HAX'], ['--delete'], ['--log-file=/var/log/r.log'], ['--checksum', '-z', '--no-perms']])(
    '%j is allowed',
    (...args) => {
      expect(() => validateExtraArgs(args)).not.toThrow()
    },
  )

  test.each<[string, RegExp]>([
    ['-v', /not allowed \(it prints file names on stdout/],
    ['--verbose', /not allowed \(it prints file names on stdout/],
    ['-i', /prints file names/],
    ['--itemize-changes', /prints file names/],
    ['-vH', /prints file names/],
    ['-Hv', /prints file names/],
    ['--quiet', /hides the errors/],
    ['--info=progress2', /sets rsync's progress output itself/],
    ['-P', /progress output/],
    ['--temp-dir=/x', /sweeps a killed rsync's temporary files/],
    ['-T', /temporary files/],
    ['--dry-run', /--dry-run flag/],
    ['--rsh=ssh', /remote shells/],
    ['--remove-source-files', /never deletes from the source/],
    ['--files-from=/l', /only used by --parallel\/--shard/],
    ['--no-such-option', /not on the allow-list/],
    ['-Q', /not on the allow-list/],
    ['/etc', /extra arguments must be options/],
    ['-', /extra arguments must be options/],
    ['--exclude=a\nb', /control characters/],
  ])('%j is refused (22), saying why', (arg, why) => {
    const error = thrown(() => validateExtraArgs(['-H', arg]))
    expect(error?.exitCode).toBe(22)
    expect(error?.message).toMatch(/^rsync\.extraArgs\[1\]: rsync option /)
    expect(error?.message).toMatch(why)
  })

  test('the place in the message can be named', () => {
    expect(() => validateExtraArgs(['-v'], 'classify')).toThrow(/^classify\[0\]/)
  })
})

describe('pathValuedOption', () => {
  test.each<[string, boolean]>([
    ['--log-file=/x', true],
    ['--log-file', true],
    ['--exclude-from=/x', true],
    ['--backup-dir=b', true],
    ['--link-dest=/l', true],
    ['--filter=merge /rules', true],
    ['--filter=. /rules', true],
    ['--filter=dir-merge .rsync-filter', true],
    ['--filter=: .rsync-filter', true],
    ['--filter=- *.tmp', false],
    ['--filter', false],
    ['--exclude=*.tmp', false],
    ['--bwlimit=5m', false],
    ['-H', false],
    ['log-file=/x', false],
  ])('%j → %s', (arg, expected) => {
    expect(pathValuedOption(arg)).toBe(expected)
  })
})

test('readsRuleFiles: rule files and merge rules, not rules given inline', () => {
  const reads = [
    '--exclude-from=/r',
    '--include-from=/r',
    '--filter=merge /r',
    '--filter=dir-merge .rules',
    '--filter=: .rules',
    '--filter=. /r',
    '--filter=dir-merge_.r',
  ]
  expect(reads.map((a) => readsRuleFiles([a]))).toEqual(reads.map(() => true))
  expect(readsRuleFiles(['--exclude=*.tmp', '--filter=- x', '--include=merge', '--filter=+ dir-merge/'])).toBe(false)
})
