/** What `transporter classify` makes of its arguments, and the Go reason texts, in process. */
import {describe, expect, test} from 'vitest'
import {parseCodeArg} from '../../src/cli/classify-input.js'
import {goReason, startFailureReason} from '../../src/core/codes/go-reason.js'
import {SPEC_TABLE} from '../helpers/exit-tables.js'
import {thrown} from '../helpers/thrown.js'

// Go-style reason texts for the codes that are not an exit status.
const REASONS: Record<number, string> = {
  [-1]: 'signal: killed',
  [-10]: 'pipe: failed to create pipes for rsync',
  [-11]: 'fork/exec rsync: no such file or directory',
  [-12]: 'wait: failed to wait for rsync',
}

describe('goReason', () => {
  test.each(SPEC_TABLE)('rsync $code', ({code}) => {
    expect(goReason(code)).toBe(REASONS[code] ?? `exit status ${code}`)
  })

  test.each([
    ['SIGKILL', 'signal: killed'],
    ['SIGTERM', 'signal: terminated'],
  ])('killed by %s', (signal, reason) => {
    expect(goReason(-1, signal)).toBe(reason)
  })

  test.each([
    ['ENOENT', 'fork/exec /x/rsync: no such file or directory'],
    ['EACCES', 'fork/exec /x/rsync: permission denied'],
    ['EWEIRD', 'fork/exec /x/rsync: eweird'],
    [undefined, 'fork/exec /x/rsync: unknown error'],
  ])('a start failure (%s)', (errno, reason) => {
    expect(startFailureReason('/x/rsync', errno)).toBe(reason)
  })
})

describe('parseCodeArg', () => {
  test.each<[string, {code: number; signal?: string}]>([
    ['23', {code: 23}],
    ['-11', {code: -11}],
    ['0', {code: 0}],
    ['signal:KILL', {code: -1, signal: 'SIGKILL'}],
    ['signal:9', {code: -1, signal: 'SIGKILL'}],
    ['signal:SIGTERM', {code: -1, signal: 'SIGTERM'}],
    ['signal:term', {code: -1, signal: 'SIGTERM'}],
    ['SIGNAL:15', {code: -1, signal: 'SIGTERM'}],
  ])('%j', (arg, parsed) => {
    expect(parseCodeArg(arg)).toEqual(parsed)
  })

  test.each<[string, RegExp]>([
    ['abc', /must be an integer/],
    ['2.5', /must be an integer/],
    ['signal:NOPE', /unknown signal "NOPE"/],
    ['signal:', /./],
  ])('%j is a usage error (22)', (arg, message) => {
    const error = thrown(() => parseCodeArg(arg))
    expect(error?.exitCode).toBe(22)
    expect(error?.message).toMatch(message)
  })
})
