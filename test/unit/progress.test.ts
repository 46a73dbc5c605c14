import {describe, expect, test} from 'vitest'
import {parseProgressLine, parseStatsLine} from '../../src/core/rsync/progress.js'

describe('rsync end-of-run summary lines (--info=stats2)', () => {
  test.each([
    ['Number of files: 1,203 (reg: 1,200, dir: 3)', {filesTotal: 1203}],
    ['Number of files: 0', {filesTotal: 0}],
    ['Number of regular files transferred: 1,234', {filesTransferred: 1234}],
    ['Number of regular files transferred: 7', {filesTransferred: 7}],
    ['Total transferred file size: 10,893 bytes', {bytes: 10893}],
  ])('%s', (line, expected) => {
    expect(parseStatsLine(line)).toEqual(expected)
  })

  test.each([
    'Number of created files: 1,203 (reg: 1,200, dir: 3)',
    'Total file size: 10,893 bytes',
    'Literal data: 10,893 bytes',
    'Total transferred file size: 10.89K bytes',
    'sent 81,687 bytes  received 22,835 bytes  209,044.00 bytes/sec',
    'a file named Number of files: 3',
  ])('not a count: %s', (line) => {
    expect(parseStatsLine(line)).toBeUndefined()
  })

  test('summary lines are not progress lines', () => {
    expect(parseProgressLine('Number of regular files transferred: 1,234')).toBeUndefined()
  })
})
