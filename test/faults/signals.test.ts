import {randomBytes} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {describe, expect, it} from 'vitest'
import {useFaultSandbox} from './helpers/fault-sandbox.js'
import {childrenOf, configDir, FAKE_RSYNC, launch, rsyncProcesses, rsyncWrapper, waitFor, yamlList} from './helpers/sandbox.js'
import {diffTrees, leftovers, partialOrWhole, rsyncTempIn} from '../helpers/trees.js'

// Spec §12: signals to transporter stop rsync cleanly, send the final reports
// and exit 128+n; rsync never outlives transporter.
const {sb, server, reportsFor} = useFaultSandbox('signals')

/** One large file copied slowly, so a signal lands mid-file. */
function slowCopy(name: string, extraConfig = '') {
  const src = sb.mkdir(`src-${name}`)
  writeFileSync(`${src}/big.bin`, randomBytes(1536 * 1024))
  const dest = sb.mkdir(`dst-${name}`)
  const rsync = rsyncWrapper(sb, name)
  const cwd = configDir(sb, name, `rsync: {path: ${JSON.stringify(rsync.path)}, extraArgs: ${yamlList(['--bwlimit=256'])}}\nreporters: [http]\n${extraConfig}`)
  const args = ['-stderr', '-progress', '-report-interval', '1', '-report-addr', `${server().url}/${name}`, '-src', `${src}/`, '-dest', dest]
  return {src, dest, rsync, cwd, args}
}

/** rsync has written part of the file into its temporary `.big.bin.XXXXXX`. */
function midFile(dest: string): boolean {
  return rsyncTempIn(dest) !== undefined
}

function expectStopped(name: string, t: ReturnType<typeof slowCopy>, signal: string, code: number) {
  const reports = reportsFor(name)
  const last = reports.at(-1)!
  expect(last).toMatchObject({errcode: code, reason: `terminated by ${signal}`})
  // the final progress report comes right before the error report
  expect(reports.at(-2)).toMatchObject({errcode: 0, reason: '', message: ''})
  expect(reports.filter((r) => r.errcode !== 0)).toHaveLength(1)
  // no further attempt after the signal
  expect(t.rsync.starts()).toBe(1)
  expect(rsyncProcesses(t.dest)).toEqual([])
  expect(leftovers(t.dest)).toEqual([])
  // rsync's --partial keeps what arrived, under the file's own name, so the next run resumes
  expect(partialOrWhole(`${t.src}/big.bin`, `${t.dest}/big.bin`)).toBe('prefix')
}

describe('signals', () => {
  it('as PID 1 (unshare --pid): SIGTERM → 143, error report after the final progress report, no rsync, no temp files, partial kept', async () => {
    const t = slowCopy('pid1')
    const run = launch(t.args, {cwd: t.cwd, wrap: ['unshare', '--pid', '--fork', '--mount-proc']})
    await waitFor(() => midFile(t.dest), 'rsync mid-file')
    const [node] = childrenOf(run.child.pid!)
    expect(node).toBeDefined()
    // inside its namespace transporter is PID 1: the kernel gives it no default signal actions
    expect(readFileSync(`/proc/${node}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m)
    process.kill(node!, 'SIGTERM')
    const r = await run.done
    expect(r.code, r.stderr).toBe(143)
    expectStopped('pid1', t, 'SIGTERM', 143)
  })

  it.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s → %i with the same guarantees', async (signal, code) => {
    const name = signal.toLowerCase()
    const t = slowCopy(name)
    const run = launch(t.args, {cwd: t.cwd})
    await waitFor(() => midFile(t.dest), 'rsync mid-file')
    run.child.kill(signal)
    const r = await run.done
    expect(r.code, r.stderr).toBe(code)
    expectStopped(name, t, signal, code)
  })

  it('rsync ignoring SIGTERM is SIGKILLed after signals.graceMs; its temp files are removed', async () => {
    const dest = sb.mkdir('dst-trap')
    const src = sb.mkdir('src-trap')
    writeFileSync(`${src}/f1.txt`, 'x')
    const log = sb.path('fake-trap.log')
    const cwd = configDir(sb, 'trap', `rsync: {path: ${JSON.stringify(FAKE_RSYNC)}}\nreporters: [http]\nsignals: {graceMs: 300}\n`)
    const run = launch(['-stderr', '-report-addr', `${server().url}/trap`, '-src', `${src}/`, '-dest', dest], {
      cwd,
      env: {FAKE_RSYNC_TRAP: '1', FAKE_RSYNC_LOG: log},
    })
    await waitFor(() => existsSync(log) && leftovers(dest).some((p) => p.endsWith('.f1.txt.AbC123')), 'the fake rsync to write its temp file')
    run.child.kill('SIGTERM')
    const r = await run.done
    expect(r.code, r.stderr).toBe(143)
    expect(r.stderr).toContain('fake rsync: ignoring SIGTERM')
    expect(rsyncProcesses(dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
    expect(reportsFor('trap').at(-1)).toMatchObject({errcode: 143, reason: 'terminated by SIGTERM'})
  })

  it('a second SIGINT kills at once, without waiting for the grace period', async () => {
    const dest = sb.mkdir('dst-int2')
    const src = sb.mkdir('src-int2')
    writeFileSync(`${src}/f1.txt`, 'x')
    const log = sb.path('fake-int2.log')
    // a grace period far longer than the run's own timeout: only the second SIGINT can end it
    const cwd = configDir(sb, 'int2', `rsync: {path: ${JSON.stringify(FAKE_RSYNC)}}\nreporters: []\nsignals: {graceMs: 600000}\n`)
    const run = launch(['-src', `${src}/`, '-dest', dest], {cwd, env: {FAKE_RSYNC_TRAP: '1', FAKE_RSYNC_LOG: log}, timeoutMs: 20_000})
    await waitFor(() => existsSync(log) && leftovers(dest).length >= 1, 'the fake rsync to start')
    run.child.kill('SIGINT')
    await waitFor(() => run.stderr().includes('fake rsync: ignoring SIGINT'), 'rsync to get the first SIGINT')
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.signal).toBeNull()
    expect(r.code, r.stderr).toBe(130)
    expect(r.stderr).toContain('second SIGINT')
    expect(rsyncProcesses(dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
  })

  it('transporter SIGKILLed as PID 1: the namespace dies with it, no rsync survives', async () => {
    const t = slowCopy('kill1')
    const run = launch(t.args, {cwd: t.cwd, wrap: ['unshare', '--pid', '--fork', '--mount-proc']})
    await waitFor(() => midFile(t.dest), 'rsync mid-file')
    const [node] = childrenOf(run.child.pid!)
    process.kill(node!, 'SIGKILL')
    await run.done
    expect(existsSync(`/proc/${node}`)).toBe(false)
    await waitFor(() => rsyncProcesses(t.dest).length === 0, 'rsync to be gone', 5000)
    // nothing could run: the namespace's SIGKILL leaves rsync's temp file, like any SIGKILL of rsync
    expect(leftovers(t.dest).length).toBeGreaterThan(0)
    expect(existsSync(`${t.dest}/big.bin`)).toBe(false)
    // the next run into the same dest removes what the killed run left (spec §12), once the dead run's
    // marker has gone a minute without its heartbeat: its mtime is set back instead of waiting
    const parent = dirname(t.dest)
    const markers = readdirSync(parent).filter((n) => n.startsWith('.transporter-run-'))
    expect(markers).toHaveLength(1)
    const aMinuteAgo = new Date(Date.now() - 120_000)
    utimesSync(`${parent}/${markers[0]}`, aMinuteAgo, aMinuteAgo)
    const again = await launch(['-src', `${t.src}/`, '-dest', t.dest], {cwd: sb.mkdir('cwd-kill1-again')}).done
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/removed 1 temporary file\(s\) a killed run left: .*\/\.big\.bin\.[A-Za-z0-9]{6}/)
    expect(leftovers(t.dest)).toEqual([])
    expect(diffTrees(t.src, t.dest)).toEqual([])
    expect(readdirSync(dirname(t.dest)).filter((n) => n.startsWith('.transporter-run-'))).toEqual([])
  })

  it('transporter SIGKILLed (not PID 1): the kernel sends rsync SIGTERM, rsync exits and cleans its temp file, partial kept', async () => {
    const t = slowCopy('kill-not-pid1')
    const run = launch(t.args, {cwd: t.cwd})
    await waitFor(() => midFile(t.dest), 'rsync mid-file')
    expect(rsyncProcesses(t.dest).length).toBeGreaterThan(0)
    run.child.kill('SIGKILL')
    await run.done
    await waitFor(() => rsyncProcesses(t.dest).length === 0, 'rsync to be gone', 10_000)
    // no handler of transporter ran, but rsync got SIGTERM (pdeathsig) and removed its own temp file
    expect(leftovers(t.dest)).toEqual([])
    expect(partialOrWhole(`${t.src}/big.bin`, `${t.dest}/big.bin`)).toBe('prefix')
  })
})
