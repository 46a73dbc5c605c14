import {describe, expect, it} from 'vitest'
import {EXIT_NAMES, SIGNAL_EXIT_NAMES} from '../helpers/exit-tables.js'
import {EXIT} from '../../src/core/codes/exit.js'
import {allExitCodes, EXIT_CODES, explainExitCode} from '../../src/core/codes/exit-codes.js'
import * as MESSAGES from '../../src/core/codes/messages.js'
import {RSYNC_CODES, rsyncCode} from '../../src/core/codes/rsync-codes.js'
import {formatExitCode} from '../../src/cli/explain.js'

describe('transporter exit codes (spec §2)', () => {
  it.each(EXIT_NAMES)('%i is %s, with causes and next steps', (code, name) => {
    const info = explainExitCode(code)
    expect(info?.name).toBe(name)
    expect(info?.causes.length).toBeGreaterThan(0)
    expect(info?.next.length).toBeGreaterThan(0)
    expect((EXIT as Record<string, number>)[name]).toBe(code)
  })

  it('lists exactly the codes of the spec table', () => {
    expect(EXIT_CODES.map((e) => e.code)).toEqual(EXIT_NAMES.map(([code]) => code))
  })

  it('carries the seed messages byte for byte', () => {
    expect(Object.values(MESSAGES).sort()).toEqual(
      [
        'src path or dest path is empty or not absolute path',
        "missing required partner flag('progress' or 'stderr' miss partner 'report-addr')",
        'report addr is unavailable',
        'retry limit has been reached, but still get an error(can be recovered)',
        'return a unrecoverable error',
        'occur a error when check src or dest is mounted',
        'process succeed complete with exit code 0',
      ].sort(),
    )
    expect(explainExitCode(0)?.message).toBe('process succeed complete with exit code 0')
  })

  it.each([...SIGNAL_EXIT_NAMES, [137, 'KilledBySIGKILL'], [138, 'KilledBySIGUSR1']])('128+n: %i is %s', (code, name) => {
    expect(explainExitCode(code)?.name).toBe(name)
  })

  it.each([1, 3, 23, 127, 128, 256, -1, 1000])('%i is not a transporter exit code', (code) => {
    expect(explainExitCode(code)).toBeUndefined()
  })

  it('--all lists the table and the handled signals in order', () => {
    const codes = allExitCodes().map((e) => e.code)
    expect(codes).toEqual([0, 2, 5, 13, 16, 22, 28, 30, 36, 129, 130, 137, 143, 255])
  })
})

describe('rsync exit codes', () => {
  it('documents every code rsync and the wrapper use', () => {
    expect(RSYNC_CODES.map((r) => r.code)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 24, 25, 30, 35, 124, 125, 126, 127, -1, -10, -11, -12,
    ])
    for (const r of RSYNC_CODES) expect(r.meaning).not.toBe('')
  })

  it('knows their names', () => {
    expect(rsyncCode(23)?.name).toBe('RERR_PARTIAL')
    expect(rsyncCode(-11)?.name).toBe('errStartCmd')
    expect(rsyncCode(7)).toBeUndefined()
  })
})

describe('explain-exit text (formatExitCode)', () => {
  it.each([...EXIT_NAMES, ...SIGNAL_EXIT_NAMES])('%i: its name first, then causes and what to check', (code, name) => {
    const info = explainExitCode(code)
    expect(info).toBeDefined()
    const text = formatExitCode(info!)
    expect(text.split('\n')[0]).toBe(`${code} ${name}`)
    expect(text).toContain('Usual causes:')
    expect(text).toContain('What to check:')
  })
})
