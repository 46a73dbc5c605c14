/**
 * Resume of an interrupted large file (spec §12, src/core/rsync/resume.ts):
 * real rsync, slowed with --bwlimit so it can be stopped at about half of the
 * file, then a second run. In process (runCopy), trees compared byte for byte.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {harness} from '../engine/harness.js'
import {diffTrees} from '../helpers/trees.js'
import {waitFor} from '../helpers/wait.js'
import {Sandbox} from './helpers/sandbox.js'

const sb = new Sandbox('resume')
afterAll(() => sb.cleanup())

const MIB = 1024 * 1024
const SIZE = 48 * MIB

/** Until rsync's temp file of big.bin holds 40 % of it. */
function tempReaches40Percent(dest: string): Promise<boolean> {
  return waitFor(() => {
    const temp = readdirSync(dest).find((n) => n.startsWith('.big.bin.'))
    return temp !== undefined && statSync(join(dest, temp)).size >= 0.4 * SIZE
  }, 'the temp file to reach 40 %')
}

/** Starts a slowed copy, stops it (SIGTERM) once the temp file holds ~40 % of the file; returns the partial's size. */
async function stoppedAtAbout40Percent(src: string, dest: string): Promise<number> {
  const h = await harness({src: `${src}/`, dest}, {extraArgs: ['--bwlimit=12m']})
  const running = h.run()
  await tempReaches40Percent(dest)
  h.stop.stop('SIGTERM')
  const outcome = await running
  expect(outcome.exitCode).toBe(143)
  expect(h.log.lines.some((l) => l.includes('kept 1 partial file(s) to resume: big.bin'))).toBe(true)
  return statSync(join(dest, 'big.bin')).size
}

function sentBytes(lines: string[]): number {
  const line = lines.find((l) => l.includes('resumed 1 interrupted file(s) with --append-verify'))
  expect(line, lines.join('\n')).toBeDefined()
  return Number(/: ([\d,]+) byte\(s\) sent/.exec(line!)![1]!.replaceAll(',', ''))
}

describe('an interrupted large file is resumed, not sent again (spec §12)', () => {
  it('the next run sends only the rest, and the trees are equal', async () => {
    const src = sb.mkdir('a', 'src')
    const dest = sb.mkdir('a', 'dest')
    writeFileSync(join(src, 'big.bin'), randomBytes(SIZE))
    writeFileSync(join(src, 'small.txt'), 'small\n')
    const partial = await stoppedAtAbout40Percent(src, dest)
    expect(partial).toBeGreaterThan(0.3 * SIZE)
    expect(partial).toBeLessThan(SIZE)

    const h = await harness({src: `${src}/`, dest})
    const outcome = await h.run()
    expect(outcome.exitCode, h.log.lines.join('\n')).toBe(0)
    // rsync sent about what was missing, not the whole file (whole-file mode would send all 48 MiB)
    const sent = sentBytes(h.log.lines)
    expect(sent).toBeLessThanOrEqual(SIZE - partial + MIB)
    expect(sent).toBeLessThan(0.7 * SIZE)
    expect(diffTrees(src, dest)).toEqual([])
    expect(readdirSync(sb.path('a')).filter((n) => n.startsWith('.transporter-resum'))).toEqual([])
  }, 60_000)

  it('needs no more room in dest than the file itself: a dest with room for one copy completes (no exit 28)', async () => {
    const src = sb.mkdir('b', 'src')
    const dest = sb.path('b', 'dest')
    // the file and a little: a partial beside a whole new temp copy would not fit
    sb.mountTmpfs(dest, `size=${SIZE / MIB + 6}m`)
    writeFileSync(join(src, 'big.bin'), randomBytes(SIZE))
    await stoppedAtAbout40Percent(src, dest)
    const h = await harness({src: `${src}/`, dest})
    const outcome = await h.run()
    expect(outcome.exitCode, h.log.lines.join('\n')).toBe(0)
    expect(diffTrees(src, dest)).toEqual([])
  }, 60_000)

  it('a resume list of a changed source file still ends in a correct copy (the checksum decides)', async () => {
    const src = sb.mkdir('c', 'src')
    const dest = sb.mkdir('c', 'dest')
    writeFileSync(join(src, 'big.bin'), randomBytes(SIZE))
    await stoppedAtAbout40Percent(src, dest)
    // the source changes in the part already copied: appending the rest would be wrong
    writeFileSync(join(src, 'big.bin'), randomBytes(SIZE))
    const h = await harness({src: `${src}/`, dest})
    expect((await h.run()).exitCode, h.log.lines.join('\n')).toBe(0)
    expect(diffTrees(src, dest)).toEqual([])
  }, 60_000)

  // the OOM killer picks one process: the receiver dies with its temp file, or the sender dies and the
  // receiver keeps the partial under the final name itself (--partial); either way the retry resumes it
  it.each([
    ['every rsync process', ['-KILL', '-f']],
    ['only the sender (the oldest)', ['-KILL', '-o', '-f']],
  ])(
    'rsync killed from outside mid-file (%s): the retry sends only the rest',
    async (_what, pkill) => {
      const src = sb.mkdir(`e-${pkill.length}`, 'src')
      const dest = sb.mkdir(`e-${pkill.length}`, 'dest')
      writeFileSync(join(src, 'big.bin'), randomBytes(SIZE))
      const h = await harness({src: `${src}/`, dest}, {extraArgs: ['--bwlimit=12m']})
      const running = h.run()
      await tempReaches40Percent(dest)
      execFileSync('pkill', [...pkill, `rsync .*${src}/`])
      const outcome = await running
      expect(outcome.exitCode, h.log.lines.join('\n')).toBe(0)
      expect(
        h.log.lines.some((l) => l.includes('kept 1 partial file(s) to resume: big.bin')),
        h.log.lines.join('\n'),
      ).toBe(true)
      expect(sentBytes(h.log.lines)).toBeLessThan(0.7 * SIZE)
      expect(diffTrees(src, dest)).toEqual([])
      expect(readdirSync(dest).filter((n) => n.startsWith('.big.bin.'))).toEqual([])
    },
    60_000,
  )

  it('a resume list others could have written, or naming paths outside dest, is ignored', async () => {
    const src = sb.mkdir('d', 'src')
    const dest = sb.mkdir('d', 'dest')
    writeFileSync(join(src, 'f.txt'), 'f\n')
    writeFileSync(join(sb.path('d'), '.transporter-resume-dest-aaaaaa'), Buffer.from('../src/f.txt\0/etc/passwd\0'), {mode: 0o600})
    const planted = join(sb.path('d'), '.transporter-resume-dest-bbbbbb')
    writeFileSync(planted, Buffer.from('f.txt\0'))
    chmodSync(planted, 0o666)
    const h = await harness({src: `${src}/`, dest})
    expect((await h.run()).exitCode).toBe(0)
    expect(h.log.lines.some((l) => l.includes('resumed'))).toBe(false)
    expect(diffTrees(src, dest)).toEqual([])
  })
})
