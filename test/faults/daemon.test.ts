import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'
import {daemonWrapperScript, startDaemon} from './helpers/daemon.js'
import {useFaultSandbox} from './helpers/fault-sandbox.js'
import {childrenOf, configDir, countLines, launch, rsyncProcesses, waitFor, yamlList} from './helpers/sandbox.js'
import {diffTrees, leftovers, rsyncTempIn} from '../helpers/trees.js'

// A network transfer dying mid-way: transporter's rsync talks to a real rsync
// daemon on 127.0.0.1 through a wrapper (transporter itself only takes local
// paths), and the daemon side is killed. Spec §6: codes 10/12 are retryable → 5.
const stops: Array<() => Promise<void>> = []
// the daemons serve from the sandbox: stop them before it goes
const {sb, server, reportsFor} = useFaultSandbox('daemon', async () => {
  for (const stop of stops) await stop()
})

interface JsonOutcome {
  exitCode: number
  attempts: Array<{code: number; class: string; reason: string}>
}

async function setup(name: string, files: number, bytes: number) {
  const src = sb.mkdir(`src-${name}`)
  for (let i = 0; i < files; i++) writeFileSync(`${src}/f${i}.bin`, randomBytes(bytes))
  const dest = sb.mkdir(`dst-${name}`)
  const daemon = await startDaemon(sb, name, dest)
  stops.push(daemon.stop)
  const log = sb.path(`rsync-${name}.log`)
  const wrapper = sb.path(`rsync-${name}.sh`)
  writeFileSync(wrapper, daemonWrapperScript(log, daemon.url), {mode: 0o755})
  const cwd = configDir(sb, name, `rsync: {path: ${JSON.stringify(wrapper)}, extraArgs: ${yamlList(['--bwlimit=512'])}}\nreporters: [http]\n`)
  const args = ['copy', '--json', '--stderr', '--progress', '--report-addr', `${server().url}/${name}`, '--src', `${src}/`, '--dest', dest]
  const reports = () => reportsFor(name)
  return {src, dest, daemon, log, cwd, args, reports}
}

describe('classification of network codes', () => {
  it.each([10, 12])('rsync %i is retryable and maps to 5', async (code) => {
    const r = await runCli(['classify', String(code), '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({class: 'retryable', retried: true, exitCode: 5})
  })
})

describe('rsync daemon on 127.0.0.1 killed mid-transfer', () => {
  it('per-connection daemon process SIGKILLed → rsync 12, retryable, next attempt completes', async () => {
    const t = await setup('kill', 2, 384 * 1024)
    const run = launch(t.args, {cwd: t.cwd})
    // mid-transfer: the daemon's receiver has a temporary file with data in dest
    const conn = await waitFor(() => (rsyncTempIn(t.dest) ? t.daemon.connections()[0] : undefined), 'the daemon to receive a file')
    const tree = [conn, ...childrenOf(conn)]
    for (const pid of tree) process.kill(pid, 'SIGKILL')
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as JsonOutcome
    // 12 (stream IO) or 10 (socket IO), depending on which side notices first
    expect([10, 12]).toContain(out.attempts[0]!.code)
    expect(out.attempts.map((a) => a.class)).toEqual(['retryable', 'ok'])
    expect(countLines(t.log)).toBe(2)
    expect(diffTrees(t.src, t.dest)).toEqual([])
    expect(leftovers(t.dest)).toEqual([])
    expect(t.reports().every((x) => x.errcode === 0)).toBe(true)
    expect(rsyncProcesses(t.src)).toEqual([])
  })

  it('daemon gone (connection refused, rsync 10) on every attempt → 3 counted attempts, exit 5, one error report', async () => {
    const t = await setup('down', 1, 1024)
    await t.daemon.stop()
    const r = await launch(t.args, {cwd: t.cwd}).done
    expect(r.code, r.stderr).toBe(5)
    const out = JSON.parse(r.stdout) as JsonOutcome
    expect(out.attempts.map((a) => [a.code, a.class])).toEqual([
      [10, 'retryable'],
      [10, 'retryable'],
      [10, 'retryable'],
    ])
    expect(countLines(t.log)).toBe(3)
    expect(r.stderr).toContain('retry limit has been reached, but still get an error(can be recovered)')
    const errors = t.reports().filter((x) => x.errcode !== 0)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({errcode: 5, reason: 'exit status 10'})
    expect(String(errors[0]!.message)).toContain('Connection refused (111)')
    expect(t.reports().at(-1)).toEqual(errors[0])
    expect(leftovers(t.dest)).toEqual([])
  })
})
