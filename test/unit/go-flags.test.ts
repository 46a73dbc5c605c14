/** The Go `flag` package's rules for the legacy argv (spec §1.1), in process. */
import {describe, expect, test} from 'vitest'
import {goFlagsToArgv, GoFlagError, parseGoBool, parseGoInt} from '../../src/cli/go-flags.js'
import {optionTypes} from '../../src/core/config/copy-options.js'

const SPEC = optionTypes()
const parse = (...args: string[]) => goFlagsToArgv(args, SPEC)

describe('strconv.ParseBool', () => {
  test.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (v) => expect(parseGoBool(v)).toBe(true))
  test.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (v) => expect(parseGoBool(v)).toBe(false))
  test.each(['', 'yes', 'no', 'on', 'off', 'tRUE', 'y', '2', ' true'])('%j is not a bool', (v) => expect(parseGoBool(v)).toBeUndefined())
})

describe('strconv.ParseInt(s, 0, 64)', () => {
  test.each([
    ['10', 10],
    ['0', 0],
    ['+5', 5],
    ['-5', -5],
    ['0x10', 16],
    ['0X1f', 31],
    ['010', 8],
    ['0o17', 15],
    ['0b101', 5],
    ['1_000', 1000],
    ['0x_ff', 255],
    ['-0x10', -16],
  ])('%s → %d', (v, n) => expect(parseGoInt(v)).toBe(n))

  test.each(['', '08', '09', '1.5', '1e3', '0x', 'ten', '1__0', '10_', ' 1', '--1', '99999999999999999999'])('%j is not an int', (v) =>
    expect(parseGoInt(v)).toBeUndefined(),
  )
})

describe('goFlagsToArgv', () => {
  test.each<[string[], string[]]>([
    [
      ['-src', '/a', '-dest', '/b'],
      ['--src=/a', '--dest=/b'],
    ],
    [
      ['--src', '/a', '--dest=/b'],
      ['--src=/a', '--dest=/b'],
    ],
    [['-src=/a'], ['--src=/a']],
    // a non-bool flag takes the next argument even when it starts with `-`
    [['-src', '-dest'], ['--src=-dest']],
    [['-src', '--'], ['--src=--']],
    // bools
    [['-progress'], ['--progress']],
    [['-progress=true'], ['--progress']],
    [['-progress=1'], ['--progress']],
    [['-progress=T'], ['--progress']],
    [['-progress=false'], ['--no-progress']],
    [['-progress=0'], ['--no-progress']],
    [['-progress=F'], ['--no-progress']],
    [['--no-progress-bar'], ['--no-progress-bar']],
    // ints in Go's bases, written out in decimal
    [['-report-interval', '0x10'], ['--report-interval=16']],
    [['-report-interval=010'], ['--report-interval=8']],
    [['-report-interval', '+5'], ['--report-interval=5']],
    [['-report-interval', '-5'], ['--report-interval=-5']],
    // the last of a repeated flag wins, in the place of its first occurrence
    [
      ['-src', '/a', '-dest', '/b', '-src', '/c'],
      ['--src=/c', '--dest=/b'],
    ],
    [['-progress', '-progress=false'], ['--no-progress']],
    // `--` ends parsing and is consumed
    [['-dest-dir', '--'], ['--dest-dir']],
    [[], []],
  ])('%j → %j', (args, argv) => expect(goFlagsToArgv(args, SPEC)).toEqual(argv))

  test.each([['-h'], ['-help'], ['--help'], ['-src', '/a', '-h', '-nonsense']])('%j asks for the usage', (...args) => {
    expect(parse(...args)).toEqual(['--help'])
  })

  test.each<[string[], RegExp]>([
    [['-nonsense'], /^flag provided but not defined: -nonsense$/],
    [['-no-src'], /^flag provided but not defined: -no-src$/],
    [['-src'], /^flag needs an argument: -src$/],
    [['-progress=yes'], /^invalid boolean value "yes" for -progress: parse error$/],
    [['-report-interval', '5s'], /^invalid value "5s" for flag -report-interval: parse error$/],
    [['-report-interval=08'], /^invalid value "08" for flag -report-interval: parse error$/],
    [['---src', '/a'], /^bad flag syntax: ---src$/],
    [['-=x'], /^bad flag syntax: -=x$/],
    // parsing stops at the first non-flag argument; anything left over is refused
    [['-src', '/a', 'stray'], /^unexpected argument "stray"/],
    [['-dest-dir', '--', '-src', '/a'], /^unexpected argument "-src"/],
    [['-', '-src', '/a'], /^unexpected argument "-"/],
  ])('%j is refused', (args, message) => {
    expect(() => goFlagsToArgv(args, SPEC)).toThrow(GoFlagError)
    expect(() => goFlagsToArgv(args, SPEC)).toThrow(message)
  })
})
