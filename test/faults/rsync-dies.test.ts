import {randomBytes} from 'node:crypto'
import {cpSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {useFaultSandbox} from './helpers/fault-sandbox.js'
import {configDir, FAKE_RSYNC, launch, rsyncProcesses, rsyncWrapper, waitFor, yamlList} from './helpers/sandbox.js'
import {diffTrees, leftovers, rsyncTempIn} from '../helpers/trees.js'

const {sb, server, reportsFor} = useFaultSandbox('dies')

function makeSource(name: string, files: number, bytes: number): string {
  const src = sb.mkdir(name)
  for (let i = 0; i < files; i++) writeFileSync(`${src}/f${String(i).padStart(3, '0')}.bin`, randomBytes(bytes))
  return src
}

function copyArgs(name: string, src: string, dest: string): string[] {
  return ['copy', '--json', '--stderr', '--progress', '--report-addr', `${server().url}/${name}`, '--src', `${src}/`, '--dest', dest]
}

interface JsonOutcome {
  exitCode: number
  attempts: Array<{attempt: number; code: number; class: string; reason: string}>
  warnings: string[]
}

/**
 * A one-file copy through the fake rsync, which exits with `codes` in turn
 * (the last repeats); returns the result, its --json outcome (read after the
 * caller checked the exit code) and the lines the fake logged, one per start.
 */
async function fakeRsyncCopy(name: string, codes: string) {
  const src = makeSource(`src-${name}`, 1, 10)
  const dest = sb.path(`p-${name}`, 'dst')
  sb.mkdir(`p-${name}`)
  const log = sb.path(`fake-${name}.log`)
  const cwd = configDir(sb, name, `rsync: {path: ${JSON.stringify(FAKE_RSYNC)}}\nreporters: [http]\n`)
  const r = await launch(copyArgs(name, src, dest), {cwd, env: {FAKE_RSYNC_LOG: log, FAKE_RSYNC_CODES: codes}}).done
  return {r, outcome: () => JSON.parse(r.stdout) as JsonOutcome, starts: () => readFileSync(log, 'utf8').trim().split('\n')}
}

describe('rsync dies mid-copy', () => {
  it('SIGKILL to the whole rsync group mid-copy → retried, second attempt completes, identical trees, no temp files', async () => {
    const src = makeSource('src-kill', 2, 384 * 1024)
    const dest = sb.mkdir('dst-kill')
    const rsync = rsyncWrapper(sb, 'kill')
    // throttled so the kill lands mid-transfer
    const cwd = configDir(sb, 'kill', `rsync: {path: ${JSON.stringify(rsync.path)}, extraArgs: ${yamlList(['--bwlimit=512'])}}\nreporters: [http]\n`)
    const run = launch(copyArgs('kill', src, dest), {cwd})
    // rsync is mid-file once its temporary file has data; the SIGKILL leaves it behind
    const tempFile = await waitFor(() => rsyncTempIn(dest), 'rsync to start writing')
    const pgid = Number(/start (\d+)/.exec(readFileSync(rsync.log, 'utf8'))![1])
    process.kill(-pgid, 'SIGKILL')
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    expect(rsync.starts()).toBe(2)
    const out = JSON.parse(r.stdout) as JsonOutcome
    expect(out.attempts.map((a) => [a.code, a.class])).toEqual([
      [-1, 'retryable'],
      [0, 'ok'],
    ])
    expect(out.attempts[0]!.reason).toBe('signal: killed')
    expect(tempFile).toMatch(/^\.f\d\.bin\.[A-Za-z0-9]{6}$|^\..+\.[A-Za-z0-9]{6}$/)
    // transporter swept what the killed rsync left
    expect(r.stderr).toContain('temporary file(s) the interrupted rsync left')
    expect(diffTrees(src, dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
    const reports = reportsFor('kill')
    expect(reports.every((x) => x.errcode === 0)).toBe(true)
    expect(reports.at(-1)).toMatchObject({current_count: 2, total_count: 3})
    expect(rsyncProcesses(sb.dir)).toEqual([])
  })

  it("SIGKILL to rsync's top process only → orphans are reaped, retried, identical trees", async () => {
    const src = makeSource('src-killtop', 2, 384 * 1024)
    const dest = sb.path('p-killtop', 'dst')
    sb.mkdir('p-killtop')
    const rsync = rsyncWrapper(sb, 'killtop')
    const cwd = configDir(sb, 'killtop', `rsync: {path: ${JSON.stringify(rsync.path)}, extraArgs: ${yamlList(['--bwlimit=512'])}}\nreporters: [http]\n`)
    const run = launch(copyArgs('killtop', src, dest), {cwd})
    await waitFor(() => rsyncProcesses(dest).length >= 3, 'three rsync processes')
    const top = Number(/start (\d+)/.exec(readFileSync(rsync.log, 'utf8'))![1])
    process.kill(top, 'SIGKILL')
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    expect(rsync.starts()).toBe(2)
    const out = JSON.parse(r.stdout) as JsonOutcome
    expect(out.attempts.map((a) => a.class)).toEqual(['retryable', 'ok'])
    expect(diffTrees(src, dest)).toEqual([])
    // dest did not exist: the temp dir was made beside it, and must be gone too
    expect(leftovers(sb.path('p-killtop'))).toEqual([])
    expect(rsyncProcesses(sb.dir)).toEqual([])
  })

  it('vanished files (fake rsync: 24 every time) → bounded uncounted retries, exit 0 with a warning, no error report', async () => {
    const {r, outcome, starts} = await fakeRsyncCopy('van', '24')
    expect(r.code, r.stderr).toBe(0)
    const out = outcome()
    // the first attempt plus vanishedRetries (5) uncounted ones
    expect(out.attempts).toHaveLength(6)
    expect(starts()).toHaveLength(6)
    expect(out.warnings.join('\n')).toMatch(/vanished/)
    expect(r.stderr).toMatch(/WARN.*vanished/)
    expect(reportsFor('van').every((x) => x.errcode === 0)).toBe(true)
  })

  it('vanished then clean (fake rsync: 24, 24, 0) → exit 0, three starts, no warning', async () => {
    const {r, outcome} = await fakeRsyncCopy('van2', '24,24,0')
    expect(r.code, r.stderr).toBe(0)
    const out = outcome()
    expect(out.attempts.map((a) => a.code)).toEqual([24, 24, 0])
    expect(out.warnings).toEqual([])
  })

  it('real rsync while a loop deletes source files → exit 0, never a hang, what was copied is intact', async () => {
    const src = makeSource('src-live', 24, 24 * 1024)
    const original = sb.path('orig-live')
    // with the source's times: dest has them, and a copy made a second later must not differ by its clock
    cpSync(src, original, {recursive: true, preserveTimestamps: true})
    const dest = sb.path('p-live', 'dst')
    sb.mkdir('p-live')
    const rsync = rsyncWrapper(sb, 'live')
    const cwd = configDir(sb, 'live', `rsync: {path: ${JSON.stringify(rsync.path)}, extraArgs: ${yamlList(['--bwlimit=256'])}}\nreporters: [http]\n`)
    const run = launch(copyArgs('live', src, dest), {cwd})
    await waitFor(() => rsync.starts() > 0, 'rsync to start')
    // delete from the end of the list (not yet sent) while rsync works through it
    let deleted = 0
    const deleter = setInterval(() => {
      const victims = readdirSync(src).sort().reverse()
      if (victims.length <= 8) return clearInterval(deleter)
      unlinkSync(`${src}/${victims[0]}`)
      deleted++
    }, 150)
    const r = await run.done
    clearInterval(deleter)
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as JsonOutcome
    expect(deleted).toBeGreaterThan(0)
    expect(out.attempts.length).toBeLessThanOrEqual(1 + 5 + 3)
    expect(out.attempts.some((a) => a.code === 24)).toBe(true)
    // every file still in src arrived; everything in dest is a whole original file
    expect(diffTrees(src, dest, {ignore: (rel) => !readdirSync(src).includes(rel)})).toEqual([])
    expect(diffTrees(original, dest, {ignore: (rel) => !readdirSync(dest).includes(rel)})).toEqual([])
    expect(leftovers(sb.path('p-live'))).toEqual([])
    expect(reportsFor('live').every((x) => x.errcode === 0)).toBe(true)
    rmSync(original, {recursive: true})
  })
})
