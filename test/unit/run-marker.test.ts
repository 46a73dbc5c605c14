import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {claimRunMarker, deadRunPart} from '../../src/core/rsync/run-marker.js'

const roots: string[] = []
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, {recursive: true, force: true})
})

function parentWithDest(): {parent: string; dest: string} {
  const parent = mkdtempSync(join(tmpdir(), 'marker-'))
  roots.push(parent)
  mkdirSync(join(parent, 'dest'))
  return {parent, dest: join(parent, 'dest')}
}

const old = new Date(Date.now() - 120_000)
const markers = (parent: string) => readdirSync(parent).filter((n) => n.startsWith('.transporter-run-'))

describe('run markers: how a run learns that an earlier one into the same dest was killed (spec §12)', () => {
  it('keeps its marker beside dest while it runs, and removes it when released', () => {
    const {parent, dest} = parentWithDest()
    const m = claimRunMarker(`${dest}/`)
    expect(m.dead).toEqual([])
    expect(markers(parent)).toEqual([expect.stringMatching(/^\.transporter-run-dest-[0-9a-f]{12}$/)])
    expect(readdirSync(dest)).toEqual([])
    m.release()
    expect(markers(parent)).toEqual([])
  })

  it("a recent marker of this boot and pid namespace is dead at once when its pid is gone; another namespace's waits for the heartbeat", () => {
    const {parent, dest} = parentWithDest()
    const m = claimRunMarker(dest, Date.now(), {index: 2, count: 4})
    const own = markers(parent)[0]!
    const line = readFileSync(join(parent, own), 'latin1')
    expect(line).toMatch(new RegExp(`^[\\w-]+ pid:\\[\\d+\\] ${process.pid} 2/4\\n$`))
    m.release()
    // a pid that has exited (in this namespace, and the same pid in another one)
    const gone = `${spawnSync('true').pid}`
    const goneHere = join(parent, '.transporter-run-dest-eeeeeeeeeeee')
    const elsewhere = join(parent, '.transporter-run-dest-ffffffffffff')
    writeFileSync(goneHere, line.replace(` ${process.pid} `, ` ${gone} `))
    writeFileSync(elsewhere, line.replace(/pid:\[\d+\]/, 'pid:[1]').replace(` ${process.pid} `, ` ${gone} `))
    const alive = join(parent, '.transporter-run-dest-111111111111')
    writeFileSync(alive, line)
    const next = claimRunMarker(dest)
    // claimed by a rename: a second run that starts at the same moment does not sweep it too
    const claimed = join(parent, '.transporter-swept-dest-eeeeeeeeeeee')
    expect(next.dead).toEqual([claimed])
    const second = claimRunMarker(dest)
    expect(second.dead).toEqual([])
    second.release()
    // whoever finds it sweeps the dead run's part: shard 2 of 4
    expect(deadRunPart(claimed)).toEqual({index: 2, count: 4})
    next.release()
    expect(readdirSync(parent).filter((n) => n.startsWith('.transporter-swept-'))).toEqual([])
    const whole = claimRunMarker(dest)
    expect(
      readFileSync(
        join(
          parent,
          markers(parent).find((n) => !n.endsWith('111111111111') && !n.endsWith('ffffffffffff'))!,
        ),
        'latin1',
      ),
    ).toMatch(/ -\n$/)
    whole.release()
  })

  it('a marker nobody holds open and nobody touched for a minute is a dead run; a recent or held one is not', async () => {
    const {parent, dest} = parentWithDest()
    const dead = join(parent, '.transporter-run-dest-aaaaaaaaaaaa')
    const recent = join(parent, '.transporter-run-dest-bbbbbbbbbbbb')
    const held = join(parent, '.transporter-run-dest-cccccccccccc')
    const otherDest = join(parent, '.transporter-run-other-dddddddddddd')
    for (const p of [dead, recent, held, otherDest]) writeFileSync(p, '')
    for (const p of [dead, held, otherDest]) utimesSync(p, old, old)
    // a live run in a container whose heartbeat this one cannot see still holds its marker open
    const holder = spawn('sh', ['-c', 'exec 3<"$1"; sleep 30', 'sh', held], {stdio: 'ignore'})
    try {
      for (let i = 0; i < 500 && !readdirSync(`/proc/${holder.pid}/fd`).some((fd) => safeLink(`/proc/${holder.pid}/fd/${fd}`) === held); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const m = claimRunMarker(dest)
      expect(m.dead).toEqual([join(parent, '.transporter-swept-dest-aaaaaaaaaaaa')])
      m.release()
      expect(markers(parent).sort()).toEqual([
        '.transporter-run-dest-bbbbbbbbbbbb',
        '.transporter-run-dest-cccccccccccc',
        '.transporter-run-other-dddddddddddd',
      ])
    } finally {
      holder.kill('SIGKILL')
    }
  })
})

function safeLink(path: string): string | undefined {
  try {
    return readlinkSync(path)
  } catch {
    return undefined
  }
}
