import {randomBytes} from 'node:crypto'
import {cpSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../helpers/capture-server.js'
import {configDir, FAKE_RSYNC, launch, rsyncProcesses, rsyncWrapper, Sandbox, waitFor, yamlList} from './helpers/sandbox.js'
import {diffTrees, leftovers, rsyncTempIn} from './helpers/tree.js'

const sb = new Sandbox('dies')
let server: CaptureServer

beforeAll(async () => {
  server = await startCaptureServer()
})
afterAll(async () => {
  await server.close()
  sb.cleanup()
})

function makeSource(name: string, files: number, bytes: number): string {
  const src = sb.mkdir(name)
  for (let i = 0; i < files; i++) writeFileSync(`${src}/f${String(i).padStart(3, '0')}.bin`, randomBytes(bytes))
  return src
}

function reportsFor(name: string): Array<Record<string, unknown>> {
  return server.requests.filter((r) => r.url.endsWith(`/${name}`)).map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>)
}

function copyArgs(name: string, src: string, dest: string): string[] {
  return ['copy', '--json', '--stderr', '--progress', '--report-addr', `${server.url}/${name}`, '--src', `${src}/`, '--dest', dest]
}

interface JsonOutcome {
  exitCode: number
  attempts: Array<{attempt: number; code: number; class: string; reason: string}>
  warnings: string[]
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
    expect(out.attempts.map((a) => [a.code, a.class])).toEqual([[-1, 'retryable'], [0, 'ok']])
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

  it('SIGKILL to rsync\'s top process only → orphans are reaped, retried, identical trees', async () => {
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
    const src = makeSource('src-van', 1, 10)
    const dest = sb.path('p-van', 'dst')
    sb.mkdir('p-van')
    const log = sb.path('fake-van.log')
    const cwd = configDir(sb, 'van', `rsync: {path: ${JSON.stringify(FAKE_RSYNC)}}\nreporters: [http]\n`)
    const r = await launch(copyArgs('van', src, dest), {cwd, env: {FAKE_RSYNC_LOG: log, FAKE_RSYNC_CODES: '24'}}).done
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as JsonOutcome
    // the first attempt plus vanishedRetries (5) uncounted ones
    expect(out.attempts).toHaveLength(6)
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(6)
    expect(out.warnings.join('\n')).toMatch(/vanished/)
    expect(r.stderr).toMatch(/WARN.*vanished/)
    expect(reportsFor('van').every((x) => x.errcode === 0)).toBe(true)
  })

  it('vanished then clean (fake rsync: 24, 24, 0) → exit 0, three starts, no warning', async () => {
    const src = makeSource('src-van2', 1, 10)
    const dest = sb.path('p-van2', 'dst')
    sb.mkdir('p-van2')
    const log = sb.path('fake-van2.log')
    const cwd = configDir(sb, 'van2', `rsync: {path: ${JSON.stringify(FAKE_RSYNC)}}\nreporters: [http]\n`)
    const r = await launch(copyArgs('van2', src, dest), {cwd, env: {FAKE_RSYNC_LOG: log, FAKE_RSYNC_CODES: '24,24,0'}}).done
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as JsonOutcome
    expect(out.attempts.map((a) => a.code)).toEqual([24, 24, 0])
    expect(out.warnings).toEqual([])
  })

  it('real rsync while a loop deletes source files → exit 0, never a hang, what was copied is intact', async () => {
    const src = makeSource('src-live', 24, 24 * 1024)
    const original = sb.path('orig-live')
    cpSync(src, original, {recursive: true})
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
    expect(diffTrees(src, dest, (rel) => !readdirSync(src).includes(rel))).toEqual([])
    expect(diffTrees(original, dest, (rel) => !readdirSync(dest).includes(rel))).toEqual([])
    expect(leftovers(sb.path('p-live'))).toEqual([])
    expect(reportsFor('live').every((x) => x.errcode === 0)).toBe(true)
    rmSync(original, {recursive: true})
  })
})
