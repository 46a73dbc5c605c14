/**
 * The progress bar as a person sees it (spec §8.4): the built CLI in a real
 * terminal (tmux), its screen read mid-copy, after rsync writes to stderr and
 * after Ctrl-C. One bar line for the whole run, redrawn below log lines and
 * rsync's stderr, nothing of it left once the run has ended.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import type {FakeStep} from '../helpers/fake-rsync.js'
import {BIN} from '../helpers/run-cli.js'
import {startTmux, type TmuxPane} from '../helpers/tmux.js'
import {createScratch} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

/** the bar's graphic or its percentage column, wherever it appears */
const BAR = /[█░]{4,}|\d+% \|/
const LOG_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO |WARN |ERROR) /
const STDERR_LINE = 'rsync: send_files failed to open "/src/f10": Permission denied (13)'

const barLines = (lines: string[]) => lines.filter((l) => BAR.test(l))
const counts = (line: string | undefined) => {
  const m = /\| (\d+)\/(\d+) files \|/.exec(line ?? '')
  return m ? {n: Number(m[1]), total: Number(m[2])} : undefined
}
const samples = (count: number): Array<[number, number]> => Array.from({length: count}, (_, i) => [i + 1, count])

/** The CLI in a 120×30 pane, copying with the fake rsync playing `steps`. */
function inTerminal(steps: FakeStep[], args: string[], fill?: (src: string) => void): TmuxPane {
  const {ws, fake} = scratch.withFake(steps, fill)
  return startTmux(ws.root, [process.execPath, BIN, 'copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--rsync-path', fake.path, ...args], {
    cwd: ws.cwd,
    env: {...fake.env, XDG_CONFIG_HOME: join(ws.root, 'xdg-config')},
  })
}

/** One bar, and it is the last line: every line above is a log line or rsync's stderr, whole. */
function expectOneLiveBar(lines: string[]): void {
  expect(barLines(lines), lines.join('\n')).toHaveLength(1)
  expect(BAR.test(lines.at(-1)!), lines.join('\n')).toBe(true)
  for (const line of lines.slice(0, -1)) expect(LOG_LINE.test(line) || line === STDERR_LINE, `unexpected line ${JSON.stringify(line)}`).toBe(true)
}

/** Ctrl-C: 130, nothing of the bar left, a log line last (the stop, the summary). */
async function expectCleanCtrlC(pane: TmuxPane): Promise<string[]> {
  pane.sendKeys('C-c')
  const lines = await pane.waitFor(() => pane.exitStatus() !== undefined, 'the CLI to exit after Ctrl-C')
  expect(pane.exitStatus()).toBe(130)
  expect(barLines(lines), lines.join('\n')).toEqual([])
  expect(
    lines.some((l) => /WARN {2}received SIGINT: stopping rsync/.test(l)),
    lines.join('\n'),
  ).toBe(true)
  expect(LOG_LINE.test(lines.at(-1) ?? ''), lines.join('\n')).toBe(true)
  return lines
}

describe('the progress bar in a terminal (tmux)', () => {
  test('one bar mid-copy, redrawn under a stderr line, gone after Ctrl-C', async () => {
    const pane = inTerminal([{progress: samples(40), progressDelayMs: 200, stderrAfter: 10, stderr: `${STDERR_LINE}\n`, sleepMs: 60_000}], [])
    try {
      const mid = await pane.waitFor((l) => (counts(l.at(-1))?.n ?? 0) >= 2, 'the bar mid-copy')
      expectOneLiveBar(mid)
      expect(mid.at(-1)).toMatch(/^\[[█░]{24}\] +\d+% \| \d+\/40 files \| [\d.]+ kB \| [\d.]+ kB\/s \| ETA \S+$/)
      expect(mid.join('\n')).not.toContain('attempt')

      // rsync's stderr line, then at least one more update: the bar is drawn again below it
      const after = await pane.waitFor((l) => l.includes(STDERR_LINE) && (counts(l.at(-1))?.n ?? 0) > 11, 'the bar redrawn after the stderr line')
      expectOneLiveBar(after)
      expect(after.filter((l) => l === STDERR_LINE)).toHaveLength(1)
      expect(after.indexOf(STDERR_LINE)).toBe(after.length - 2)

      const end = await expectCleanCtrlC(pane)
      expect(end.filter((l) => l === STDERR_LINE)).toHaveLength(1)
    } finally {
      pane.kill()
    }
  })

  test('a successful run ends with the bar finished at 100% on its own line, once', async () => {
    const pane = inTerminal([{progress: samples(10), progressDelayMs: 50}], [])
    try {
      const end = await pane.waitFor(() => pane.exitStatus() !== undefined, 'the CLI to exit')
      expect(pane.exitStatus()).toBe(0)
      expect(barLines(end), end.join('\n')).toEqual([expect.stringMatching(/^\[█{24}\] 100% \| 10\/10 files \| [\d.]+ kB \| [^|]+ \| done in \d+s$/)])
      for (const line of end.filter((l) => !BAR.test(l))) expect(LOG_LINE.test(line), `unexpected line ${JSON.stringify(line)}`).toBe(true)
    } finally {
      pane.kill()
    }
  })

  test('--parallel 4: one unlabelled bar summed over the workers, gone after Ctrl-C', async () => {
    const fill = (src: string) => {
      for (let i = 0; i < 8; i++) writeFileSync(join(src, `f${i}`), 'x'.repeat(1000 * (i + 1)))
    }
    const pane = inTerminal([{progress: samples(20), progressDelayMs: 200, sleepMs: 60_000}], ['--parallel', '4'], fill)
    try {
      // every worker has reported its 20 files: the bar sums them; its total is the plain copy's (8 files and the root dir)
      const mid = await pane.waitFor((l) => counts(l.at(-1))?.n === 80, 'a bar counting all four workers')
      expectOneLiveBar(mid)
      expect(counts(mid.at(-1))!.total).toBe(9)
      expect(mid.join('\n')).not.toMatch(/attempt|0\/0 files/)
      await expectCleanCtrlC(pane)
    } finally {
      pane.kill()
    }
  })
})
