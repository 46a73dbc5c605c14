/**
 * A split copy divides rsync's listing while rsync is still ending, and
 * keeps that division only when nothing was listed after it
 * (src/core/split/early-division.ts). An rsync whose listing pauses after
 * most of its entries is divided early, then lists the rest: a division kept
 * from before the pause would leave those entries uncopied.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {diffTrees, leftovers} from '../helpers/trees.js'
import {harness, workspace} from './harness.js'

const DIRS = 10
const FILES = 30

function fill(src: string): void {
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(src, `d${d}`))
    for (let f = 0; f < FILES; f++) writeFileSync(join(src, `d${d}/f${f}`), `${d}/${f}\n`)
  }
}

/** rsync, whose listing stops for `pauseMs` after `lines` lines, long after a quiet period */
function pausingRsync(dir: string, lines: number, pauseMs: number): string {
  const path = join(dir, 'rsync-pausing')
  const pause = `awk 'NR == ${lines} { fflush(); system("sleep ${pauseMs / 1000}") } { print }'`
  writeFileSync(path, `#!/bin/sh\ncase " $* " in *" --list-only "*) /usr/bin/rsync "$@" | ${pause}; exit 0 ;; esac\nexec /usr/bin/rsync "$@"\n`, {
    mode: 0o755,
  })
  return path
}

describe('a listing divided before its last entries came', () => {
  test.each([2, 4])('--parallel %i copies the entries listed after the pause too', async (parallel) => {
    const ws = workspace(fill)
    const entries = 1 + DIRS * (FILES + 1) // `.`, the directories and their files
    // most of the listing, then a pause far longer than the quiet period: the early division holds ~90 % of it
    const rsyncPath = pausingRsync(ws.root, Math.floor(entries * 0.9), 300)
    const h = await harness({src: `${ws.src}/`, dest: ws.dest}, {destDir: true, rsyncPath, parallel})
    const outcome = await h.run()
    expect(outcome.exitCode, outcome.reason).toBe(0)
    expect(outcome.filesTotal).toBe(entries)
    expect(diffTrees(ws.src, ws.dest, {allTimes: true})).toEqual([])
    expect(leftovers(ws.dest)).toEqual([])
  })
})
