import {describe, expect, it} from 'vitest'
import {listedFilesVanished} from '../../src/core/classify/listed-vanished.js'

const LINK = 'rsync: [sender] link_stat "/src/./gone" failed: No such file or directory (2)'
const END = 'rsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1394) [sender=3.5.0]'

describe('listedFilesVanished: a listed file deleted before rsync reached it', () => {
  it.each([
    ['only link_stat ENOENT lines', 23, [LINK, LINK.replace('gone', 'also'), END], true],
    ['a permission error too', 23, [LINK, 'rsync: [sender] send_files failed to open "/src/x": Permission denied (13)', END], false],
    ['link_stat with another errno', 23, ['rsync: [sender] link_stat "/src/x" failed: Permission denied (13)', END], false],
    ['not rsync 23', 11, [LINK, END], false],
    ['no error line at all', 23, [END], false],
  ])('%s → %s', (_what, code, lines, expected) => {
    expect(listedFilesVanished(code, lines.join('\n'))).toBe(expected)
  })
})
